// One query per .cypher file under cypher/, read once and cached. The file's header comment lists
// its $params and returned columns; queries take parameters only, never string-built Cypher.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/index.js';

const cache = new Map<string, string>();
const cypherDir = path.join(projectRoot(), 'cypher');

/** cypher('ingest/write-transfers') reads cypher/ingest/write-transfers.cypher. */
export function cypher(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = fs.readFileSync(path.join(cypherDir, `${name}.cypher`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Schema files hold several statements separated by ';' (each one idempotent: IF NOT EXISTS). */
export function cypherStatements(name: string): string[] {
  return cypher(name)
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function listCypherFiles(subdir: string): string[] {
  return fs
    .readdirSync(path.join(cypherDir, subdir))
    .filter((f) => f.endsWith('.cypher'))
    .sort()
    .map((f) => `${subdir}/${f.replace(/\.cypher$/, '')}`);
}
