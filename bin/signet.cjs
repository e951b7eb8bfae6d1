#!/usr/bin/env node
// The `signet` command's entry point, in CommonJS so that it runs before anything else: it sizes
// libuv's threadpool while the pool does not exist yet, then loads the CLI (an ES module).
'use strict';

// PKCS#11 signing runs on libuv's threadpool (pkcs11js C_SignAsync), which fs, dns.lookup and zlib
// share. libuv reads UV_THREADPOOL_SIZE once, when the pool starts, and Node's ES module loader
// starts it to read the first module: set any later (in the CLI itself), it has no effect.
// 24 threads: at most 23 signs at once per module (src/signers/pkcs11/module.ts), one left over.
const DEFAULT_THREADPOOL_SIZE = 24;
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(DEFAULT_THREADPOOL_SIZE);

const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const built = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');

async function start() {
  if (existsSync(built)) return import(pathToFileURL(built).href);
  // A source checkout that was never built: run the TypeScript through tsx (a dev dependency).
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(__dirname, '..', 'src', 'cli', 'main.ts')).href);
}

start().catch((err) => {
  console.error(err);
  process.exit(1);
});
