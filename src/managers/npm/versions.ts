// npm compares versions by semver; the scheme lives in the shared versioning folder.
export { semver } from '../versioning/semver.js';
