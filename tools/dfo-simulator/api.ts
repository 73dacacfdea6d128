/**
 * The DFØ simulator's programmatic API: its options and the handle that tests, the demo and the
 * benchmarks drive (server.ts implements it; controlRoutes.ts serves the same operations over HTTP).
 */
import type { IsoDate } from '../../src/iga/model.ts';
import type { University } from './dataset.ts';
import type { Faults } from './faults.ts';
import type { PublishProps } from './publisher.ts';
import type { Quirks } from './quirks.ts';
import type { RawObject, Resource } from './state.ts';

export interface DfoSimulatorOptions {
  port?: number;
  host?: string;
  pathPrefix?: string;
  /** When set, DFØ endpoints answer 401 unless `authHeader` carries this key. */
  apiKey?: string;
  authHeader?: string;
  dataset?: University;
  /** Enables publish(); without it publish() throws. */
  amqp?: { url: string; exchange?: string };
  /** Seed of the PRNG behind random quirks and faults. Default 1. */
  seed?: number;
  quirks?: Quirks;
  /** Clock for the default `gyldigEtter`; default today in Europe/Oslo. */
  today?: () => IsoDate;
}

export interface PublishOptions {
  /** `YYYYMMDD`; default today. */
  gyldigEtter?: string;
  /** Zero-pad the id to 8 digits as DFØ does (default true). */
  padId?: boolean;
  /** Default `9900` (DFØ's test company). */
  firmakode?: string;
  /** Default `application/octet-stream`, as DFØ sends it. */
  contentType?: string;
}

export type ChangeOpts = { notify?: boolean };

export interface DfoSimulator {
  /** Base URL for the client, e.g. `http://127.0.0.1:PORT/dfo`. */
  readonly url: string;
  readonly port: number;
  /** Stores (or replaces) a raw `ansatt`; with notify, publishes an `ansatte` message and resolves after the broker confirm. */
  upsertEmployee(raw: RawObject, opts?: ChangeOpts & { quirks?: Quirks }): Promise<void>;
  upsertPosition(raw: RawObject, opts?: ChangeOpts & { quirks?: Quirks }): Promise<void>;
  /** Resolves true when something was removed. */
  removeEmployee(id: string | number, opts?: ChangeOpts): Promise<boolean>;
  removePosition(id: string | number, opts?: ChangeOpts): Promise<boolean>;
  /** The stored raw object (a copy), or undefined. */
  getEmployee(id: string | number): RawObject | undefined;
  getPosition(id: string | number): RawObject | undefined;
  /** Replaces the fault settings; `{}` clears. Throws a ZodError on bad input. */
  setFaults(faults: Faults): void;
  /** Replaces the quirks in force; `{}` serves objects as stored. */
  setQuirks(quirks: Quirks): void;
  /** DFØ requests received (all, for one resource, or for one object of it), faulty ones included. */
  requestCount(resource?: Resource, id?: string | number): number;
  stats(): { requests: Record<Resource, number>; employees: number; positions: number };
  /** Publishes a DFØ notification; resolves after the broker confirm. Throws without `amqp`. */
  publish(kind: Resource, id: string | number, opts?: PublishOptions): Promise<{ messageId: string; routingKey: string; body: string }>;
  /** Publishes arbitrary bytes to the exchange (malformed-message tests). */
  publishRaw(routingKey: string, bytes: Buffer | string, props?: PublishProps): Promise<string>;
  close(): Promise<void>;
}

