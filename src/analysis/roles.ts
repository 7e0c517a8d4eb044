// acctnet/analysis/roles: one role per account from its metrics, with the evidence that decided it.
import type { Centrality } from './centrality.js';
import type { AccountFeatures } from './features.js';

export type Role = 'hub' | 'pass_through' | 'collector' | 'distributor' | 'leaf' | 'regular';

export interface RoleOptions {
  /** Collector / distributor: at least this many distinct senders / receivers… */
  fanMinDegree: number;
  /** …and this many times more than the other direction. */
  fanRatio: number;
  /** Pass-through: at least this share of the inflow leaves within the holding window… */
  passThroughMinShare: number;
  /** …and out / in stays within these bounds (money in ≈ money out). */
  balanceMin: number;
  balanceMax: number;
}

export const ROLE_DEFAULTS: RoleOptions = { fanMinDegree: 8, fanRatio: 3, passThroughMinShare: 0.6, balanceMin: 0.7, balanceMax: 1.15 };

export interface RoleEvidence {
  /** Distinct non-hub counterparties. */
  inDegree: number;
  outDegree: number;
  inAmount: number;
  outAmount: number;
  /** Share of the inflow sent on within the holding window. */
  forwardShare: number;
  hub: boolean;
}

export function roleOf(i: number, c: Centrality, f: AccountFeatures, isHub: Uint8Array, o: RoleOptions = ROLE_DEFAULTS): Role {
  if (isHub[i]) return 'hub';
  // Paying merchants or being paid by an employer says nothing about a role: count only non-hub
  // counterparties.
  const inD = f.coreInDegree[i]!;
  const outD = f.coreOutDegree[i]!;
  const inA = c.inStrength[i]!;
  const outA = c.outStrength[i]!;
  if (inD >= o.fanMinDegree && inD >= o.fanRatio * Math.max(outD, 1)) return 'collector';
  if (outD >= o.fanMinDegree && outD >= o.fanRatio * Math.max(inD, 1)) return 'distributor';
  if (inA > 0 && f.forwardShare[i]! >= o.passThroughMinShare && outA / inA >= o.balanceMin && outA / inA <= o.balanceMax)
    return 'pass_through';
  if (inD + outD <= 1) return 'leaf';
  return 'regular';
}

export function assignRoles(c: Centrality, f: AccountFeatures, isHub: Uint8Array, options: Partial<RoleOptions> = {}): Role[] {
  const o = { ...ROLE_DEFAULTS, ...options };
  return Array.from({ length: f.n }, (_, i) => roleOf(i, c, f, isHub, o));
}

export function roleEvidence(i: number, c: Centrality, f: AccountFeatures, isHub: Uint8Array): RoleEvidence {
  return {
    inDegree: f.coreInDegree[i]!,
    outDegree: f.coreOutDegree[i]!,
    inAmount: round2(c.inStrength[i]!),
    outAmount: round2(c.outStrength[i]!),
    forwardShare: round3(f.forwardShare[i]!),
    hub: isHub[i] === 1,
  };
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
export const round3 = (x: number) => Math.round(x * 1000) / 1000;
