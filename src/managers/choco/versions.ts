// Chocolatey packages are NuGet packages: NuGet version rules (SemVer 2 with a 4th part, case-insensitive tags).
export { nuget } from '../versioning/nuget.js';
