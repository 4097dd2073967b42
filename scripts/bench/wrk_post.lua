-- wrk script: POST a create-payment body; the Authorization header comes from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_API_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
local service_token = os.getenv("BENCH_SERVICE_TOKEN")
if service_token and service_token ~= "" then
  wrk.headers["X-Service-Token"] = service_token
end
wrk.body = '{"amount":1200,"description":"Benchmark payment","reference":"BENCH-1","return_url":"https://service.example/return"}'

