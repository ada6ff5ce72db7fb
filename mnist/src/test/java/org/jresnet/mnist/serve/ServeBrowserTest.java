package org.jresnet.mnist.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium (Debian's chromium and chromium-driver; skipped, saying
 * why, where they are missing): draw digits on the canvas with pointer events, read the answer
 * and the ten bars from the page, clear, upload a PNG, fit a phone's width. Saves a screenshot
 * of a drawn digit to target/serve.png (and to -Dserve.screenshot=FILE, how docs/serve.png is made).
 */
class ServeBrowserTest {
    static final String CHROMIUM = System.getProperty("serve.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("serve.chromedriver", "/usr/bin/chromedriver");
    static Server server;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws IOException {
        String missing = !new File(CHROMIUM).canExecute() ? CHROMIUM
                : !new File(CHROMEDRIVER).canExecute() ? CHROMEDRIVER : null;
        if (missing != null) {
            System.out.println("ServeBrowserTest skipped: " + missing + " not found (apt-get install chromium"
                    + " chromium-driver)");
        }
        Assumptions.assumeTrue(missing == null, missing + " not found; browser test skipped");
        Assumptions.assumeTrue(ServeFixture.realData().isPresent(), "real MNIST not found; browser test skipped");
        server = ServeFixture.start(ServeFixture.trainedModel(), ServeFixture.sharedConfig());
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        // Root in CI: Chromium's sandbox refuses to start as root.
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,780",
                "--hide-scrollbars", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        driver.get(server.uri().toString());
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** One stroke through points given in 0..1 of the canvas, with the mouse (pointer events). */
    static void stroke(double[][] points) {
        WebElement pad = driver.findElement(By.id("pad"));
        int w = pad.getSize().getWidth();
        int h = pad.getSize().getHeight();
        Actions a = new Actions(driver);
        // Offsets count from the element's centre.
        a.moveToElement(pad, (int) ((points[0][0] - 0.5) * w), (int) ((points[0][1] - 0.5) * h)).clickAndHold();
        for (int i = 1; i < points.length; i++) {
            a.moveToElement(pad, (int) ((points[i][0] - 0.5) * w), (int) ((points[i][1] - 0.5) * h));
        }
        a.release().perform();
    }

    /** One stroke as {@link #stroke}, with a finger or a pen instead of the mouse (W3C pointer actions). */
    static void stroke(double[][] points, PointerInput.Kind kind) {
        WebElement pad = driver.findElement(By.id("pad"));
        int w = pad.getSize().getWidth();
        int h = pad.getSize().getHeight();
        PointerInput finger = new PointerInput(kind, kind.name().toLowerCase(java.util.Locale.ROOT));
        PointerInput.Origin origin = PointerInput.Origin.fromElement(pad);
        Sequence s = new Sequence(finger, 0);
        s.addAction(finger.createPointerMove(Duration.ZERO, origin, (int) ((points[0][0] - 0.5) * w),
                (int) ((points[0][1] - 0.5) * h)));
        s.addAction(finger.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
        for (int i = 1; i < points.length; i++) {
            s.addAction(finger.createPointerMove(Duration.ofMillis(20), origin, (int) ((points[i][0] - 0.5) * w),
                    (int) ((points[i][1] - 0.5) * h)));
        }
        s.addAction(finger.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        driver.perform(List.of(s));
    }

    static double[][] arc(double cx, double cy, double r, double fromDeg, double toDeg, int steps) {
        double[][] p = new double[steps + 1][];
        for (int i = 0; i <= steps; i++) {
            double t = Math.toRadians(fromDeg + (toDeg - fromDeg) * i / steps);
            p[i] = new double[] {cx + r * Math.cos(t), cy + r * Math.sin(t)};
        }
        return p;
    }

    /** Waits until the answer on the page is the answer for the drawing as it is now. */
    static String settledDigit() {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
            Object drawn = js("return document.body.dataset.drawn");
            return drawn != null && drawn.equals(js("return document.body.dataset.shown"))
                    && !driver.findElement(By.id("digit")).getText().equals("?");
        });
        return driver.findElement(By.id("digit")).getText();
    }

    /** The ten bars as the page shows them. */
    static double[] bars() {
        List<WebElement> li = driver.findElements(By.cssSelector("#bars li"));
        assertEquals(10, li.size());
        double[] p = new double[10];
        for (int d = 0; d < 10; d++) {
            assertEquals(Integer.toString(d), li.get(d).getAttribute("data-digit"));
            p[d] = Double.parseDouble(li.get(d).getAttribute("data-p"));
        }
        return p;
    }

    /** What the API says for the canvas as it is now (its PNG, as the page sends it). */
    static Map<?, ?> apiAnswerForCanvas() {
        String url = (String) js("return document.getElementById('pad').toDataURL('image/png')");
        byte[] png = Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
        var r = ServeFixture.post(server.uri(), "/api/predict", "image/png", png);
        assertEquals(200, r.statusCode(), r.body());
        return (Map<?, ?>) Json.parse(r.body());
    }

    static void clear() {
        driver.findElement(By.id("clear")).click();
        assertEquals("?", driver.findElement(By.id("digit")).getText());
        for (double p : bars()) {
            assertEquals(0, p);
        }
    }

    void checkPageAgreesWithTheApi(String shown) {
        double[] p = bars();
        Map<?, ?> api = apiAnswerForCanvas();
        assertEquals(api.get("digit").toString(), shown, "the page and the API on the same canvas");
        List<?> probs = (List<?>) api.get("probabilities");
        double sum = 0;
        int best = 0;
        for (int d = 0; d < 10; d++) {
            assertEquals(((Number) probs.get(d)).doubleValue(), p[d], 1e-6, "bar " + d);
            sum += p[d];
            best = p[d] > p[best] ? d : best;
        }
        assertEquals(1, sum, 1e-3);
        assertEquals(shown, Integer.toString(best), "the longest bar is the answer");
    }

    @Test
    void drawReadClearAndUpload() throws IOException {
        // A "1": one vertical stroke, slightly slanted as people write it.
        stroke(new double[][] {{0.52, 0.15}, {0.51, 0.35}, {0.49, 0.6}, {0.48, 0.85}});
        String one = settledDigit();
        checkPageAgreesWithTheApi(one);
        assertEquals("1", one, "a vertical stroke");
        clear();

        // A "3": two bowls open to the left, drawn in one stroke.
        double[][] upper = arc(0.5, 0.33, 0.16, -160, 90, 14);
        double[][] lower = arc(0.5, 0.65, 0.16, -90, 160, 14);
        double[][] three = new double[upper.length + lower.length][];
        System.arraycopy(upper, 0, three, 0, upper.length);
        System.arraycopy(lower, 0, three, upper.length, lower.length);
        stroke(three);
        String shown = settledDigit();
        checkPageAgreesWithTheApi(shown);
        System.out.println("ServeBrowserTest: the drawn 3 reads as " + shown + ", bars " + java.util.Arrays.toString(bars()));
        assertEquals("3", shown, "a drawn 3");
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> js("return document.getAnimations().length")
                .equals(0L)); // the bars' transition, for the screenshot
        byte[] shot = driver.getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target/serve.png"), shot);
        String copy = System.getProperty("serve.screenshot");
        if (copy != null) {
            Files.write(Path.of(copy), shot);
        }
        // Escape clears too (the keyboard's way).
        driver.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
        assertEquals("?", driver.findElement(By.id("digit")).getText());

        // Upload: a real test image as dark ink on white, through the file picker.
        Mnist test = ServeFixture.testSet();
        Path png = Files.createTempFile("digit", ".png");
        Files.write(png, ServeFixture.png(test, 0));
        driver.findElement(By.id("file")).sendKeys(png.toString());
        assertEquals(Integer.toString(test.label(0)), settledDigit(), "uploaded test image 0");
    }

    /** The canvas takes touch and pen input too: the page sees those pointer types and reads the stroke. */
    @Test
    void drawWithAFingerAndAPen() {
        js("window.pointerTypes = []; document.getElementById('pad').addEventListener('pointerdown',"
                + " e => window.pointerTypes.push(e.pointerType))");
        double[][] one = {{0.52, 0.15}, {0.51, 0.35}, {0.49, 0.6}, {0.48, 0.85}};
        for (PointerInput.Kind kind : new PointerInput.Kind[] {PointerInput.Kind.TOUCH, PointerInput.Kind.PEN}) {
            clear();
            stroke(one, kind);
            String shown = settledDigit();
            checkPageAgreesWithTheApi(shown);
            assertEquals("1", shown, "a vertical stroke drawn with " + kind);
        }
        assertEquals(List.of("touch", "pen"), js("return window.pointerTypes"));
        clear();
    }

    @Test
    void fitsAPhonesWidth() {
        Dimension before = driver.manage().window().getSize();
        try {
            driver.manage().window().setSize(new Dimension(390, 844));
            long scrollWidth = (Long) js("return document.documentElement.scrollWidth");
            long inner = (Long) js("return window.innerWidth");
            assertTrue(scrollWidth <= inner, "no sideways scrolling: " + scrollWidth + " > " + inner);
            long right = ((Number) js("return document.getElementById('pad').getBoundingClientRect().right")).longValue();
            assertTrue(right <= inner, "the canvas fits: right edge " + right + " of " + inner);
        } finally {
            driver.manage().window().setSize(before);
        }
    }
}
