// pip compares versions by PEP 440; the scheme lives in the shared versioning folder.
export { pep440 } from '../versioning/pep440.js';
