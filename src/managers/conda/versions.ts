// conda's VersionOrder accepts versions PEP 440 rejects (openssl 1.1.1w, tzdata 2024a), so conda
// versions are compared by the loose scheme: numeric segments numerically, words before releases.
export { loose as condaVersions } from '../versioning/loose.js';
