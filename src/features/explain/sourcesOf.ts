/**
 * What explain and upcoming weigh of a stored person's publishers: the affiliations the sources give
 * and the sponsor's standing; nothing for a person no publisher knows (DFØ alone, as before).
 */
import { sourceAffiliations, type SourceAffiliation, type SponsorStanding } from '../../iga/sources.ts';
import type { PersonState } from '../../topology/contracts/stores.ts';

export function sourcesOf(p: PersonState): { sources?: { affiliations: SourceAffiliation[]; sponsor: SponsorStanding | null } } {
  if (!p.sources || Object.keys(p.sources).length === 0) return {};
  return { sources: { affiliations: sourceAffiliations(p.sources), sponsor: p.sponsor ?? null } };
}
