// conda-forge and defaults versions are compared here by PEP 440, the scheme most conda packages follow.
export { pep440 } from '../versioning/pep440.js';
