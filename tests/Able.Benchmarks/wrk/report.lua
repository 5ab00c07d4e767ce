-- Shared by the scenario scripts (dofile'd): one JSON line with the run's figures, read by Suite/WrkRun.cs.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nABLE_WRK_RESULT {"requests":%d,"durationMicroseconds":%d,"bytes":%d,' ..
    '"p50Microseconds":%d,"p99Microseconds":%d,"maxMicroseconds":%d,' ..
    '"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,"non2xx3xx":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
