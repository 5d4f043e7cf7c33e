// winget versions are whatever the publisher's manifest says (1.6.3482, 2.44.0.windows.1): the loose scheme compares them.
export { loose } from '../versioning/loose.js';
