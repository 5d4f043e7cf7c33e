// dnf/rpm versions are RPM EVR ([epoch:]version-release, rpmvercmp with `~` and `^`).
export { rpm } from '../versioning/rpm.js';
