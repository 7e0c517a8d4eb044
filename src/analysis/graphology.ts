// graphology's CommonJS packages declare `export default` in their types but set module.exports at
// runtime; under NodeNext that default import is mistyped. Loading them with require keeps the
// published types and the actual values in agreement, in one place.
import { createRequire } from 'node:module';
import type * as weightedDegreeTypes from 'graphology-metrics/node/weighted-degree.js';
import type * as operatorsTypes from 'graphology-operators';

type PagerankFn = typeof import('graphology-metrics/centrality/pagerank.js').default;
type BetweennessFn = typeof import('graphology-metrics/centrality/betweenness.js').default;
type LouvainFn = typeof import('graphology-communities-louvain').default;

const require = createRequire(import.meta.url);

export const pagerank: PagerankFn = require('graphology-metrics/centrality/pagerank.js');
export const betweenness: BetweennessFn = require('graphology-metrics/centrality/betweenness.js');
export const { weightedInDegree, weightedOutDegree }: typeof weightedDegreeTypes = require('graphology-metrics/node/weighted-degree.js');
export const louvain: LouvainFn = require('graphology-communities-louvain');
export const { subgraph }: typeof operatorsTypes = require('graphology-operators');
export { DirectedGraph, UndirectedGraph } from 'graphology';
