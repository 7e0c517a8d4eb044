// The evidence of a provisional successor recorded by hand (a link no run or watch found): tests
// that need successors in the store without the watch's scoring.
import type { MigrationEvidence } from '../../src/analysis/migration.js';

export function handEvidence(overrides: Partial<MigrationEvidence> = {}): MigrationEvidence {
  return {
    fallKind: 'listed',
    riseKind: 'new',
    gapDays: 1,
    sharedCounterparties: 2,
    formerCounterparties: 5,
    counterpartyOverlap: 0.4,
    directTransfers: 0,
    sameCluster: false,
    clusterShare: 0,
    successorShare: 0,
    profileSimilarity: 0.9,
    sharedSample: [],
    ...overrides,
  };
}
