// Lists the migrations in order. Static imports, so the same list works under tsx, vitest and a build.
import type { Migration } from 'kysely';
import * as m0001 from './0001_core_tables.ts';
import * as m0002 from './0002_ingestion.ts';
import * as m0003 from './0003_alert_delivery.ts';
import * as m0004 from './0004_sla_engine.ts';
import * as m0005 from './0005_api_indexes.ts';
import * as m0006 from './0006_drop_unused_tweet_indexes.ts';
import * as m0007 from './0007_analyzer_queue.ts';
import * as m0008 from './0008_delivery_channel_pause.ts';
import * as m0009 from './0009_classification_fk_checks.ts';
import * as m0010 from './0010_case_write_costs.ts';
import * as m0011 from './0011_tweet_handles_key.ts';

export const migrations: Record<string, Migration> = {
  '0001_core_tables': m0001,
  '0002_ingestion': m0002,
  '0003_alert_delivery': m0003,
  '0004_sla_engine': m0004,
  '0005_api_indexes': m0005,
  '0006_drop_unused_tweet_indexes': m0006,
  '0007_analyzer_queue': m0007,
  '0008_delivery_channel_pause': m0008,
  '0009_classification_fk_checks': m0009,
  '0010_case_write_costs': m0010,
  '0011_tweet_handles_key': m0011,
};
