-- wrk script: OpenAI chat completions against serving, with rotating prompts from the demo domain.
-- Usage: wrk -t1 -c8 -d20s --latency -s load-tests/chat.lua http://localhost:8080/v1/chat/completions
local prompts = {
  "What is 3 + 5?", "Hello, I am Ana.", "How do I boil an egg?", "Is the sun hot?", "Tell me about cats.",
  "What is 7 + 2?", "Hello, I am Bo.", "How do I water a plant?", "Is ice cold?", "Tell me about dogs.",
}
local counter = 0
local failures = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"model":"default","messages":[{"role":"user","content":"%s"}],"max_tokens":32,"seed":%d}',
    prompts[(counter % #prompts) + 1], counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests/s %.2f  p50 %.1f ms  p99 %.1f ms  non-200 %d  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
