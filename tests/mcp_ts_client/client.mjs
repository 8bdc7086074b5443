// Opens SESSIONS MCP sessions at once against URL with the official TypeScript SDK, each:
// initialize, list the tools, call `add`, close. Prints one JSON summary on stdout.
//   node client.mjs URL [SESSIONS]   (the bearer token, if any, in the environment: MCP_TOKEN)
// Like every MCP client it keeps no cookie, so a proxy's sticky cookie cannot route it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, count = "10"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node client.mjs URL [SESSIONS]");
  process.exit(2);
}
const headers = process.env.MCP_TOKEN ? { Authorization: `Bearer ${process.env.MCP_TOKEN}` } : {};

async function session(index) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: `ts-session-${index}`, version: "1.0.0" });
  try {
    await client.connect(transport); // initialize + notifications/initialized
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
    const called = await client.callTool({ name: "add", arguments: { a: index, b: 1000 } });
    const sum = called.structuredContent?.result;
    if (called.isError || sum !== index + 1000) {
      throw new Error(`add(${index}, 1000) gave ${JSON.stringify(called)}`);
    }
    return { index, ok: true, tools, sum, sessionId: transport.sessionId ?? null };
  } finally {
    await client.close();
  }
}

const outcomes = await Promise.allSettled(Array.from({ length: Number(count) }, (_, i) => session(i)));
const results = outcomes.map((outcome, index) =>
  outcome.status === "fulfilled" ? outcome.value : { index, ok: false, error: String(outcome.reason?.message ?? outcome.reason) },
);
const completed = results.filter((result) => result.ok).length;
console.log(JSON.stringify({ url, sessions: results.length, completed, results }));
process.exit(completed === results.length ? 0 : 1);
