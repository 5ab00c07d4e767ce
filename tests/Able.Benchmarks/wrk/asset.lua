-- Scenario "asset": the page's stylesheet (/assets/site.css), as a browser asks for it: nothing is captured.
dofile(os.getenv("ABLE_BENCH_WRK_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/assets/site.css"
wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
wrk.headers["Accept"] = "text/css,*/*;q=0.1"
