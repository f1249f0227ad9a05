/** Child process: the bench upstream. */
import { startBenchUpstream, type UpstreamSettings } from '../upstream.js';
import { childSettings, serveParent } from './child.js';

const upstream = await startBenchUpstream(childSettings<UpstreamSettings>());
serveParent({ baseUrl: upstream.baseUrl }, upstream.close, (reset) => upstream.arrivals(reset));
