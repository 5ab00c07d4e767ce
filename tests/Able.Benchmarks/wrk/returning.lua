-- Scenario "returning": a returning visitor on a desktop browser: the able_vid cookie the gateway gave it
-- (ABLE_BENCH_VISITOR), Accept text/html, no ttclid and no UTMs, a second page of the site.
dofile(os.getenv("ABLE_BENCH_WRK_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/pricing"
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
wrk.headers["Accept-Language"] = "en-US,en;q=0.9"
wrk.headers["Cookie"] = "able_vid=" .. assert(os.getenv("ABLE_BENCH_VISITOR"), "ABLE_BENCH_VISITOR is not set")
