// Homebrew versions have no single grammar (1.25.0, 2024-11-26, 3.4.0_1): the loose scheme compares them.
export { loose } from '../versioning/loose.js';
