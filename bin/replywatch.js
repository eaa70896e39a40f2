#!/usr/bin/env node
// Entry point for the `replywatch` bin: loads the TypeScript sources through tsx, in this process.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
