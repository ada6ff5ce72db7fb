package org.jresnet.mnist.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.model.SeedNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    private final Backend be = Backends.create("reference");

    @TempDir
    Path tmp;

    @Test
    void modelRoundTripsBitForBit() throws Exception {
        SeedNet a = new SeedNet(be, new Rng(3));
        Path f = tmp.resolve("model.safetensors");
        Safetensors.write(f, Safetensors.fromModule(a), Map.of("format", "pt"));
        Net b = ModelFile.load(be, f);
        for (var e : a.namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), b.namedParameters().get(e.getKey()).toArray(), e.getKey());
        }
        assertEquals(List.of(), Files.list(tmp).filter(p -> !p.equals(f)).toList(), "no temporary files left");
    }

    @Test
    void writesTheStandardLayout() {
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
        t.put("a", new Safetensors.Entry(new int[] {2}, new float[] {1.5f, -2f}));
        t.put("b.c", new Safetensors.Entry(new int[] {1, 1}, new float[] {3f}));
        byte[] bytes = Safetensors.encode(t, Map.of("k", "v"));
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        assertEquals(0, (8 + n) % 8, "data is 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).trim();
        assertEquals("{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b.c\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}", header);
        assertEquals(8 + n + 12, bytes.length);
        assertEquals(1.5f, buf.getFloat((int) (8 + n)));
        assertEquals(3f, buf.getFloat((int) (8 + n + 8)));
        Safetensors.Contents c = Safetensors.decode(bytes, "x");
        assertArrayEquals(new float[] {1.5f, -2f}, c.tensors().get("a").data());
        assertEquals("v", c.metadata().get("k"));
    }

    @Test
    void rejectsDamagedFilesAndWrongModels() throws Exception {
        assertTrue(assertThrows(UserError.class, () -> Safetensors.decode(new byte[5], "f")).getMessage()
                .contains("not a safetensors file"));
        byte[] bogus = new byte[16];
        bogus[0] = (byte) 200;
        assertThrows(UserError.class, () -> Safetensors.decode(bogus, "f"));
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>();
        t.put("conv1.weight", new Safetensors.Entry(new int[] {2}, new float[] {1, 2}));
        Path f = tmp.resolve("wrong.safetensors");
        Safetensors.write(f, t, null);
        UserError e = assertThrows(UserError.class, () -> ModelFile.load(be, f));
        assertTrue(e.getMessage().contains("conv1.weight") && e.getMessage().contains("shape"), e.getMessage());
        byte[] bytes = Files.readAllBytes(f);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        assertTrue(assertThrows(UserError.class, () -> Safetensors.decode(cut, "cut")).getMessage()
                .contains("needs more than the file's 4 data bytes"));
        assertTrue(assertThrows(UserError.class, () -> ModelFile.load(be, tmp.resolve("none.safetensors")))
                .getMessage().contains("does not exist"));
    }

    @Test
    void tensorValuesSurviveSpecialFloats() {
        float[] v = {Float.MIN_VALUE, -0f, Float.MAX_VALUE, 1e-30f, Float.NaN};
        Map<String, Safetensors.Entry> t = Map.of("x", new Safetensors.Entry(new int[] {5}, v));
        float[] back = Safetensors.decode(Safetensors.encode(t, null), "x").tensors().get("x").data();
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]));
        }
    }
}
