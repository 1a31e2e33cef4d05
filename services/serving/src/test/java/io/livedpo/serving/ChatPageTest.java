package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.events.ResponseEvent;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page at {@code /} in a real headless Chromium: it asks serving's chat API, shows each answer with its
 * model version, and posts thumbs and A/B votes across origins to the feedback service (here a recording stand-in).
 * Needs Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/run} installs them.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = ChatPageFeedbackServer.class, restrictToAnnotatedClass = true)
class ChatPageTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL page;

    /** Every POST the feedback stand-in received; injected by {@link ChatPageFeedbackServer}. */
    BlockingQueue<Map<String, String>> feedbackPosts;

    /** How many next POSTs the feedback stand-in refuses with 503; injected by {@link ChatPageFeedbackServer}. */
    AtomicInteger feedbackFailures;

    private Path profile;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void openBrowser() throws IOException {
        // A missing browser must fail the build, not skip: CI installs it, so its absence is a broken setup.
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError(CHROMIUM + " or " + CHROMEDRIVER + " is missing: the chat page test needs a "
                    + "real Chromium (apt-get install -y --no-install-recommends chromium chromium-driver, as "
                    + ".ci/run does)");
        }
        profile = Files.createTempDirectory("livedpo-chromium-");
        ChromeOptions options = new ChromeOptions();
        // With both the binary and the driver named, Selenium Manager has nothing to look up or download.
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1024,800", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            browser = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            throw new AssertionError("Chromium did not start (" + CHROMIUM + " via " + CHROMEDRIVER + "): "
                    + e.getMessage(), e);
        }
        wait = new WebDriverWait(browser, DEADLINE);
        assertNotNull(feedbackPosts, "ChatPageFeedbackServer did not inject its recordings");
        assertNotNull(feedbackFailures, "ChatPageFeedbackServer did not inject its failure switch");
        feedbackPosts.clear();
        feedbackFailures.set(0);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void configTellsThePageWhereFeedbackGoes() {
        String feedbackUrl = ConfigProvider.getConfig().getValue("livedpo.serving.feedback-url", String.class);
        given().get("/v1/config").then().statusCode(200).body("feedback_url", equalTo(feedbackUrl));
    }

    @Test
    void streamedAnswerShowsItsVersionAndThumbsUpReachesFeedback() throws Exception {
        browser.get(page.toString());
        String question = "Tell me about cats.";
        ask(question);

        WebElement answer = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".answer[data-response-id] .model-version"))).findElement(By.xpath(".."));
        assertEquals("default@0", answer.findElement(By.className("model-version")).getText());
        String responseId = answer.getDomAttribute("data-response-id");
        // The id the page holds is one serving issued for this question and this answer text.
        ResponseEvent event = TestClients.awaitResponseEvent(responseId);
        assertEquals(question, event.messages().get(event.messages().size() - 1).content());
        // The text node the page wrote, not WebDriver's getText(): that is the visible text after CSS white-space
        // rules (trimmed, runs of white space and control characters shown as one space), which the tiny model's
        // sampled bytes (U+FFFD, NEL, tabs) make differ from the answer in ways that say nothing about the page.
        assertEquals(event.completion().isEmpty() ? "(empty answer)" : event.completion(),
                answer.findElement(By.className("answer-text")).getDomProperty("textContent"));

        answer.findElement(By.cssSelector("button[aria-label='Good answer (thumbs up)']")).click();
        wait.until(ExpectedConditions.textToBePresentInElement(answer.findElement(By.className("vote-status")),
                "vote was recorded"));

        Map<String, String> post = nextFeedbackPost();
        assertEquals("/v1/feedback", post.get("path"));
        assertEquals(origin(page), post.get("origin"), "the vote should be a cross-origin request from the page");
        JsonNode body = JSON.readTree(post.get("body"));
        assertEquals(responseId, body.get("response_id").asText());
        assertEquals("up", body.get("rating").asText());
        assertEquals(storedUserId(), body.get("user_id").asText());
        for (WebElement b : answer.findElements(By.cssSelector(".votes button"))) {
            assertFalse(b.isEnabled(), "vote buttons stay disabled after a recorded vote");
        }
        screenshot("livedpo-chatpage-vote.png");
    }

    @Test
    void aRefusedVoteShowsTheErrorAndCanBeRetried() throws Exception {
        browser.get(page.toString());
        ask("Hello!");
        WebElement answer = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".answer[data-response-id] .model-version"))).findElement(By.xpath(".."));
        String responseId = answer.getDomAttribute("data-response-id");
        WebElement down = answer.findElement(By.cssSelector("button[aria-label='Bad answer (thumbs down)']"));
        WebElement status = answer.findElement(By.className("vote-status"));

        feedbackFailures.set(1);
        down.click();
        wait.until(ExpectedConditions.textToBePresentInElement(status, "feedback store unavailable"));
        assertTrue(status.getText().startsWith("Vote not recorded"), status.getText());
        wait.until(ExpectedConditions.elementToBeClickable(down)); // back, so the user can try again

        down.click();
        wait.until(ExpectedConditions.textToBePresentInElement(status, "vote was recorded"));
        JsonNode body = JSON.readTree(nextFeedbackPost().get("body"));
        assertEquals(responseId, body.get("response_id").asText());
        assertEquals("down", body.get("rating").asText());
        assertTrue(feedbackPosts.isEmpty(), "only the retried vote was recorded");
    }

    @Test
    void abModeShowsTwoAnswersAndPostsThePreferredOne() throws Exception {
        // A phone-sized window: the pair must still sit side by side without widening the page.
        browser.manage().window().setSize(new Dimension(375, 812));
        browser.get(page.toString());
        browser.findElement(By.id("ab-mode")).click();
        browser.findElement(By.id("stream")).click(); // the whole-response path, the other test streams
        ask("What is 2 + 2?");

        List<WebElement> answers = wait.until(ExpectedConditions.numberOfElementsToBe(
                By.cssSelector(".answers.ab .answer[data-response-id]"), 2));
        String a = answers.get(0).getDomAttribute("data-response-id");
        String b = answers.get(1).getDomAttribute("data-response-id");
        assertNotEquals(a, b);
        for (WebElement answer : answers) {
            assertEquals("default@0", answer.findElement(By.className("model-version")).getText());
        }
        assertTrue(answers.get(0).getRect().getY() == answers.get(1).getRect().getY()
                        && answers.get(0).getRect().getX() < answers.get(1).getRect().getX(),
                "the two answers should be side by side");
        assertEquals(Boolean.TRUE, browser.executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at 375 px");

        browser.findElement(By.cssSelector("button[aria-label='Answer B is better']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.className("pair-status"),
                "vote was recorded"));

        Map<String, String> post = nextFeedbackPost();
        assertEquals("/v1/feedback/pairwise", post.get("path"));
        JsonNode body = JSON.readTree(post.get("body"));
        assertEquals(b, body.get("chosen_response_id").asText());
        assertEquals(a, body.get("rejected_response_id").asText());
        assertEquals(storedUserId(), body.get("user_id").asText());
        for (WebElement button : browser.findElements(By.cssSelector("button.prefer"))) {
            assertFalse(button.isEnabled(), "preference buttons stay disabled after a recorded vote");
        }
        screenshot("livedpo-chatpage-ab.png");
    }

    /**
     * Markup in the user's text and in the model's reply is shown as text and never runs. The tiny model cannot be
     * made to write markup on purpose, so the seam is the served text: a wrapper around the page's own fetch, installed
     * before the page loads, passes every request to the real serving app and rewrites only the answer text of its
     * chat responses (the JSON choice, or each streamed delta) into the payload; ids, versions and the model math are
     * the real ones. Each payload would set {@code window.__xss} if it ran.
     */
    @Test
    void markupInTheQuestionAndTheAnswerIsShownAsTextAndNeverRuns() {
        String reply = "<img src=x onerror=\"window.__xss='img'\"><script>window.__xss='script'</script>"
                + "<svg onload=\"window.__xss='svg'\"></svg>";
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", SERVED_TEXT_SEAM
                .replace("PAYLOAD", JSON.valueToTree(reply).toString())));
        browser.get(page.toString());
        // Short, so prompt and answer fit the tiny model's 64-token context (about a token per character).
        String question = "<img src=x onerror=__xss=1>";

        ask(question); // streamed
        WebElement streamed;
        try {
            streamed = wait.until(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector(".answer[data-response-id] .model-version"))).findElement(By.xpath(".."));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no answer; the page shows: " + browser.findElement(By.tagName("main")).getText()
                    + " / rewrites: " + browser.executeScript("return window.__servedTextRewrites"), e);
        }
        assertEquals(reply, streamed.findElement(By.className("answer-text")).getText());
        assertEquals("You: " + question, browser.findElement(By.cssSelector(".user-bubble"))
                .getDomProperty("textContent"));
        assertEquals(List.of(), browser.findElements(By.cssSelector("#conversation img, #conversation script, "
                + ".answer-text *, .user-bubble :not(.visually-hidden)")), "markup became elements");

        // A new conversation (the payload reply would not fit the context as history), the whole-response path.
        browser.findElement(By.id("new-conversation")).click();
        browser.findElement(By.id("stream")).click();
        String script = "<script>__xss=2</script>";
        ask(script);
        WebElement whole = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".answer[data-response-id] .model-version"))).findElement(By.xpath(".."));
        assertEquals(reply, whole.findElement(By.className("answer-text")).getText());
        assertEquals("You: " + script, browser.findElement(By.cssSelector(".user-bubble"))
                .getDomProperty("textContent"));
        assertEquals(List.of(), browser.findElements(By.cssSelector("#conversation img, #conversation script, "
                + ".answer-text *, .user-bubble :not(.visually-hidden)")), "markup became elements");
        assertEquals(2L, browser.executeScript("return window.__servedTextRewrites"), "the seam rewrote both answers");
        assertEquals(null, browser.executeScript("return window.__xss"), "a payload ran");
    }

    /** Rewrites the answer text of the real chat responses; see the test above. PAYLOAD is a JSON string. */
    private static final String SERVED_TEXT_SEAM = """
            (() => {
              const realFetch = window.fetch;
              window.__servedTextRewrites = 0;
              window.fetch = async (input, init) => {
                const res = await realFetch(input, init);
                if (!String(input).includes("v1/chat/completions") || !res.ok) {
                  return res;
                }
                const body = await res.text();
                let rewritten;
                if ((res.headers.get("content-type") || "").includes("text/event-stream")) {
                  let first = true;
                  // Line by line in place, so the stream's own line endings and event breaks stay as served.
                  rewritten = body.replace(/^data:(.*)$/gm, (line, data) => {
                    const text = data.trim();
                    if (text === "" || text === "[DONE]") {
                      return line;
                    }
                    const chunk = JSON.parse(text);
                    for (const c of chunk.choices || []) {
                      if (c.delta && first) {
                        c.delta.content = PAYLOAD;
                        first = false;
                      } else if (c.delta && "content" in c.delta) {
                        c.delta.content = "";
                      }
                    }
                    return "data: " + JSON.stringify(chunk) + (data.endsWith("\\r") ? "\\r" : "");
                  });
                } else {
                  const json = JSON.parse(body);
                  json.choices.forEach((c) => { c.message.content = PAYLOAD; });
                  rewritten = JSON.stringify(json);
                }
                window.__servedTextRewrites++;
                return new Response(rewritten, { status: res.status, headers: res.headers });
              };
            })();
            """;

    private void ask(String question) {
        browser.findElement(By.id("message")).sendKeys(question);
        browser.findElement(By.cssSelector("button[aria-label='Send message']")).click();
    }

    private Map<String, String> nextFeedbackPost() throws InterruptedException {
        Map<String, String> post = feedbackPosts.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(post, "the feedback stand-in received no POST within " + DEADLINE);
        return post;
    }

    private String storedUserId() {
        Object id = browser.executeScript("return localStorage.getItem('livedpo.user-id')");
        assertNotNull(id, "the page should keep an anonymous user id in localStorage");
        return id.toString();
    }

    private static String origin(URL url) {
        return url.getProtocol() + "://" + url.getHost() + ":" + url.getPort();
    }

    /** Kept under the temp directory for a human to look at; the build does not depend on it. */
    private void screenshot(String name) throws IOException {
        Path shot = Path.of(System.getProperty("java.io.tmpdir"), name);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
    }
}
