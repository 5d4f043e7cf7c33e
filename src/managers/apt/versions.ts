// apt/dpkg versions follow Debian policy (epoch, upstream, revision, `~` sorting first).
export { debian } from '../versioning/debian.js';
