package org.jresnet.mnist.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Stopping the server (what Ctrl-C does) lets a request in flight finish, then refuses new ones. */
class ServeShutdownTest {
    @Test
    void aRequestInFlightFinishesAfterCloseBegins() throws Exception {
        Server server = ServeFixture.start(ServeFixture.untrainedModel(), ServeFixture.sharedConfig());
        URI base = server.uri();
        byte[] body = ("{\"pixels\": [" + "0,".repeat(783) + "1]}").getBytes(StandardCharsets.US_ASCII);
        Thread closer;
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2); // the handler is now running, reading the body
            out.flush();
            Thread.sleep(500); // time for the server to dispatch it on a loaded machine
            closer = new Thread(server::close);
            closer.start();
            Thread.sleep(300);
            assertTrue(closer.isAlive(), "close waits for the request in flight");
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", head);
        }
        closer.join(10_000);
        assertTrue(!closer.isAlive(), "closed");
        assertThrows(IOException.class, () -> new Socket(base.getHost(), base.getPort()).close(), "no longer listening");
    }
}
