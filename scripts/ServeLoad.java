// The load client of scripts/serve-load.sh, run as a single source file (java ServeLoad.java ...):
// C clients send R requests each to a running `mnist.jar serve`, every request a different MNIST
// test image as {"pixels": [...]}, and check each answer's digit against the server's answer for
// that image sent alone; then prints requests/s, p50/p99 latency and the mean batch size.
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

public class ServeLoad {
    static final Pattern DIGIT = Pattern.compile("\"digit\":(\\d)");
    static final Pattern BATCH = Pattern.compile("\"batch\":(\\d+)");
    static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] a) throws Exception {
        URI url = URI.create(a[0]).resolve("/api/predict");
        Path data = Path.of(a[1]);
        int clients = Integer.parseInt(a[2]);
        int requests = Integer.parseInt(a[3]);
        String label = a.length > 4 ? a[4] : "";
        int n = clients * requests;
        String[] bodies = bodies(data, n);
        // Each image alone first (one client, one at a time): the answers to compare with.
        int[] alone = new int[n];
        for (int i = 0; i < n; i++) {
            String r = post(url, bodies[i]);
            alone[i] = group(DIGIT, r);
        }
        run(url, bodies, alone, clients, Math.max(1, requests / 4), null); // warm-up, not reported
        run(url, bodies, alone, clients, requests, label);
    }

    static void run(URI url, String[] bodies, int[] alone, int clients, int requests, String label) throws Exception {
        int n = clients * requests;
        long[] nanos = new long[n];
        AtomicLong batchSum = new AtomicLong();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    for (int k = 0; k < requests; k++) {
                        int i = client * requests + k;
                        long s = System.nanoTime();
                        String r = post(url, bodies[i]);
                        nanos[i] = System.nanoTime() - s;
                        if (group(DIGIT, r) != alone[i]) {
                            throw new IllegalStateException("image " + i + ": " + group(DIGIT, r) + " under load, "
                                    + alone[i] + " alone");
                        }
                        batchSum.addAndGet(group(BATCH, r));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (label != null) {
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "| %s | %d x %d | %.0f | %.2f | %.2f | %.1f | 0 |%n", label, clients, requests,
                    n / secs, nanos[n / 2] / 1e6, nanos[(int) (n * 0.99)] / 1e6, (double) batchSum.get() / n);
        }
    }

    static String post(URI url, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("status " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static int group(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + s);
        }
        return Integer.parseInt(m.group(1));
    }

    /** The first n test images as {"pixels": [...]} bodies (t10k-images-idx3-ubyte, gzip or raw). */
    static String[] bodies(Path dir, int n) throws IOException {
        Path gz = dir.resolve("t10k-images-idx3-ubyte.gz");
        InputStream raw = Files.exists(gz) ? new GZIPInputStream(Files.newInputStream(gz))
                : Files.newInputStream(dir.resolve("t10k-images-idx3-ubyte"));
        try (DataInputStream in = new DataInputStream(raw)) {
            if (in.readInt() != 2051) {
                throw new IOException("not an IDX image file");
            }
            int count = in.readInt();
            int px = in.readInt() * in.readInt();
            if (n > count) {
                throw new IOException("need " + n + " images, the file has " + count);
            }
            String[] out = new String[n];
            byte[] img = new byte[px];
            for (int i = 0; i < n; i++) {
                in.readFully(img);
                StringBuilder b = new StringBuilder("{\"pixels\":[");
                for (int p = 0; p < px; p++) {
                    b.append(p == 0 ? "" : ",").append((img[p] & 0xFF) / 255.0);
                }
                out[i] = b.append("]}").toString();
            }
            return out;
        }
    }
}
