/**
 * Benchmark datasets. The university is the simulator's generated one; `one-holder` is a flat set
 * where position i is held by employee i since 2020, so every notification yields exactly one
 * CREATE and throughput can be compared message for message with a bare pipe.
 */
import { generateUniversity, type University } from '../../tools/dfo-simulator/dataset.ts';
import { FAMILY_NAMES, GIVEN_NAMES } from '../../tools/dfo-simulator/names.ts';

export type BenchDataset =
  | { dataset: 'university'; employees: number; positions: number; seed: number; today: string; names?: 'simple' | 'varied' }
  | { dataset: 'one-holder'; count: number; today: string };

export const ONE_HOLDER_FIRST_EMPLOYEE = 500_001;
export const ONE_HOLDER_FIRST_POSITION = 60_000_001;

export function oneHolderUniversity(count: number, _today: string): University {
  const employees = [];
  const positions = [];
  for (let i = 0; i < count; i++) {
    const id = String(ONE_HOLDER_FIRST_EMPLOYEE + i).padStart(8, '0');
    const positionId = ONE_HOLDER_FIRST_POSITION + i;
    employees.push({
      id, fornavn: GIVEN_NAMES[i % GIVEN_NAMES.length], etternavn: FAMILY_NAMES[Math.floor(i / GIVEN_NAMES.length) % FAMILY_NAMES.length],
      fnr: '01017012345', startdato: '2020-01-01', sluttdato: '9999-12-31', stillingId: positionId, eksternbruker: true,
    });
    positions.push({
      id: positionId, stillingsnavn: 'Rådgiver', stillingskode: '20001434', organisasjonId: '10000001',
      innehaver: [{ innehaverAnsattnr: id, innehaverStartdato: '2020-01-01', innehaverSluttdato: '9999-12-31' }],
    });
  }
  return { employees, positions };
}

export function benchUniversity(spec: Extract<BenchDataset, { dataset: 'university' }>): University {
  return generateUniversity(spec);
}
