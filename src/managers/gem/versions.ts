// RubyGems version rules (Gem::Version: segments, a letter makes a prerelease).
export { rubygems } from '../versioning/rubygems.js';
