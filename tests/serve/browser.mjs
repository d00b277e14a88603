// browser.mjs: a reviewer's walk through the workbench in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core): sign in, the queue and a case (also at 420 px
// and as printed), a confirmation with its reason, the runs, the lists, the audit trail and
// its export downloaded. Screenshots
// of each page go to the artifacts directory. Exits 1 on the first thing a reviewer would
// notice going wrong, 77 (skipped) when chromium or playwright-core is missing.
//
// usage: node browser.mjs REDFLAG_BINARY SOURCE_DIR ARTIFACTS_DIR
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const [bin, src, artifacts] = process.argv.slice(2);
const chromium = process.env.RF_CHROMIUM || "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.log(`skipped: no chromium at ${chromium} (scripts/deps.sh installs it)`);
  process.exit(77);
}
let playwright;
try {
  playwright = await import("playwright-core");
} catch {
  console.log("skipped: playwright-core is not installed (npm ci in tests/serve; scripts/deps.sh does it)");
  process.exit(77);
}

function fail(what) {
  console.error("FAIL " + what);
  process.exitCode = 1;
  throw new Error(what);
}
function check(ok, what) {
  if (!ok) fail(what);
  console.log("ok   " + what);
}
function redflag(args, input) {
  const r = spawnSync(bin, args, { input, encoding: "utf8" });
  return r.status;
}

const tmp = mkdtempSync(join(tmpdir(), "rf-browser-"));
const db = join(tmp, "db.sqlite");
mkdirSync(artifacts, { recursive: true });
check(redflag(["lists", "init", "--db", db]) === 0, "lists init");
const orders = join(tmp, "orders.csv");
writeFileSync(orders, "ref,buyer,ship_to,country\n" +
  "SO-1,Huawei Technologies Co Ltd,Huawei Technologies Co Ltd,CN\n" +
  "SO-2,<img src=x onerror=alert(2)> Rostec,,RU\n" +
  "SO-3,Kimball Electronics Inc,,US\n");
check(redflag(["screen", "--db", db, "-o", join(tmp, "r.html"), orders,
  join(src, "examples/open-orders.csv")]) === 1, "screen the orders (alarms)");
check(redflag(["users", "add", "rita", "--role", "reviewer", "--db", db], "correct horse battery\n") === 0,
  "users add rita");

const server = spawn(bin, ["serve", "--db", db, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
const line = await new Promise((resolve) => createInterface({ input: server.stdout }).once("line", resolve));
const base = line.match(/(http:\/\/\S+?)\/$/)[1];
const browser = await playwright.chromium.launch({ executablePath: chromium, headless: true,
  args: ["--no-sandbox"] });
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("dialog", (d) => { problems.push("a dialog opened: " + d.message()); d.dismiss(); });

  await page.goto(base + "/queue");
  check(page.url().endsWith("/login"), "the queue sends a stranger to sign in");
  await page.fill("input[name=user]", "rita");
  await page.fill("input[name=password]", "correct horse battery");
  await page.screenshot({ path: join(artifacts, "1-sign-in.png"), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click("button:has-text('Sign in')")]);
  check(page.url().endsWith("/queue"), "signed in, the queue");
  const rows = await page.locator("tbody tr").count();
  check(rows >= 3, `the queue shows the open alarms (${rows} hits)`);
  check((await page.textContent("body")).includes("<img src=x onerror=alert(2)> Rostec"),
    "a name carrying <img onerror> reads as text");
  check(await page.locator(".age.old").count() === 1, "the 2022 list is shown amber, with its age");
  await page.screenshot({ path: join(artifacts, "2-queue.png"), fullPage: true });
  // The pictures in docs/server.md: the first screen of each, kept small.
  await page.setViewportSize({ width: 960, height: 640 });
  await page.screenshot({ path: join(artifacts, "docs-queue.png") });
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.setViewportSize({ width: 420, height: 900 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 420, `the queue fits 420 px (${width})`);
  await page.screenshot({ path: join(artifacts, "3-queue-420px.png"), fullPage: true });
  await page.emulateMedia({ media: "print" });
  check(!(await page.isVisible("header")), "printed, the queue leaves out the navigation");
  await page.screenshot({ path: join(artifacts, "4-queue-print.png"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.selectOption("select[name=sort]", "name");
  await Promise.all([page.waitForNavigation(), page.click("button:has-text('Show')")]);
  check(page.url().includes("sort=name"), "the queue sorts by name");
  // An Entity List hit: its record has a Federal Register notice and a license policy.
  const huawei = page.locator("a[href*='list=EL&']", { hasText: "Huawei Technologies" }).first();
  await Promise.all([page.waitForNavigation(), huawei.click()]);
  check(page.url().includes("/case?"), "a case opens from the queue");
  check(await page.isVisible("text=Listed record") && await page.isVisible("text=Why it matched"),
    "the case shows the party, the listed record and why they matched");
  check(await page.locator("mark").count() >= 2, "the case marks the words that matched, on both sides");
  check(await page.isVisible("th:has-text('Federal Register')") && await page.isVisible("th:has-text('License policy')"),
    "the case shows the record's Federal Register notice and license policy");
  await page.screenshot({ path: join(artifacts, "5-case.png"), fullPage: true });
  await page.setViewportSize({ width: 960, height: 900 });
  await page.screenshot({ path: join(artifacts, "docs-case.png") });
  await page.setViewportSize({ width: 420, height: 900 });
  const caseWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  check(caseWidth <= 420, `the case fits 420 px (${caseWidth})`);
  await page.screenshot({ path: join(artifacts, "5-case-420px.png"), fullPage: true });
  await page.emulateMedia({ media: "print" });
  check(!(await page.isVisible("form[action='/case/decide']")) && await page.isVisible("text=Listed record"),
    "printed, the case keeps the record and leaves out the form");
  await page.screenshot({ path: join(artifacts, "5-case-print.png"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 1280, height: 900 });

  check(await page.locator("textarea[name=reason][required]").count() === 1,
    "the reason is required by the form itself");
  await page.fill("textarea[name=reason]", "Same company: name, Shenzhen address and FR notice agree");
  await page.check("input[value=confirm]");
  await Promise.all([page.waitForNavigation(), page.click("button:has-text('Record decision')")]);
  check(await page.isVisible("text=Shenzhen address and FR notice agree"), "the decision is on the case page");
  await page.screenshot({ path: join(artifacts, "6-case-decided.png"), fullPage: true });

  for (const [link, url, file] of [["Runs", /\/runs$/, "8-runs.png"], ["Lists", /\/lists$/, "9-lists.png"]]) {
    await page.click(`header a:has-text('${link}')`);
    await page.waitForURL(url);
    await page.screenshot({ path: join(artifacts, file), fullPage: true });
  }
  check(await page.isVisible("text=2022-05-01"), "the lists page shows the version in force");
  await page.click("header a:has-text('Audit export')");
  await page.waitForURL(/\/audit$/);
  check(await page.isVisible("td:has-text('rita')") && await page.isVisible("td:has-text('decision')"),
    "the audit page shows the decision in the trail, with who");
  await page.screenshot({ path: join(artifacts, "7-audit.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"),
    page.click("button:has-text('Download decisions')")]);
  const csv = readFileSync(await download.path(), "utf8");
  check(csv.includes("confirmed") && csv.includes("rita") && csv.includes("Shenzhen address"),
    "the audit export holds the decision, who took it and why");
  check(problems.length === 0, "no console error, CSP violation or dialog: " + problems.join("; "));
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
