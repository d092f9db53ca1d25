-- Paced GETs for wrk: each connection waits $BENCH_DELAY_MS between its requests, so the load
-- is a steady rate well under capacity (about connections × 1000 / (delay + latency) per
-- second) and the latency percentiles are those of an unsaturated service.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "20")

function delay()
    return pause
end
