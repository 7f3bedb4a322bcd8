#!/usr/bin/env node
// Runs the TypeScript CLI straight from a checkout through tsx's loader, so `npx redshift-sso`
// works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
