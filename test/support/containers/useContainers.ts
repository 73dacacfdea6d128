/**
 * vitest setup file of the integration project in the containers mode: points this test file at the
 * containers that globalSetup.ts started, before the file's imports read IGA_KAFKA_BROKERS and
 * IGA_AMQP_URL (test/support/brokers.ts and the like read them once, at import).
 */
import { inject } from 'vitest';

Object.assign(process.env, inject('containerBrokerEnv'));
