-- Scenario "click": a TikTok ad click from a new visitor on a phone. Every request carries a ttclid no other
-- request of any run has (ABLE_BENCH_RUN is unique per wrk run, the thread number and a counter do the rest),
-- the four UTMs of the ad, an iPhone Safari User-Agent, Accept text/html and no cookie.
dofile(os.getenv("ABLE_BENCH_WRK_DIR") .. "/report.lua")

local run = os.getenv("ABLE_BENCH_RUN") or tostring(os.time())
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local counter = 0
local prefix
local headers = {
  ["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  ["Accept-Language"] = "en-US,en;q=0.9", ["Sec-GPC"] = "1",
}

function request()
  if prefix == nil then
    prefix = "E.C.P." .. run .. "-" .. tostring(thread_number or 0) .. "-"
  end
  counter = counter + 1
  local path = "/?ttclid=" .. prefix .. counter ..
    "&utm_source=tiktok&utm_medium=paid&utm_campaign=spring_sale&utm_content=video_a"
  return wrk.format("GET", path, headers)
end
