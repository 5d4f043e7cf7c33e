import type { Runner } from '../util/exec.js';
import { gitSource } from '../fleet/source.js';
import { loadFleet } from '../fleet/load.js';
import { fleetInfoFromDocuments, type FleetInfo } from './view.js';

/** Reads the fleet's waves, stale threshold and hosts at `rev` of the git directory `repoDir` (no checkout). */
export async function readFleetInfo(runner: Runner, repoDir: string, rev: string): Promise<FleetInfo> {
  const loaded = await loadFleet(await gitSource(runner, repoDir, rev));
  return fleetInfoFromDocuments(loaded.documents);
}
