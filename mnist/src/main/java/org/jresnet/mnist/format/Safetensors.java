package org.jresnet.mnist.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Tensor;
import org.jresnet.core.nn.Module;
import org.jresnet.mnist.common.UserError;

/**
 * The safetensors format (what PyTorch and Hugging Face load): an 8-byte little-endian header
 * length, a JSON header mapping each tensor name to {@code dtype}, {@code shape} and
 * {@code data_offsets} (relative to the end of the header), an optional {@code __metadata__}
 * string map, then the raw little-endian data. Only F32 is written; F32 is read.
 */
public final class Safetensors {
    public static final String METADATA = "__metadata__";
    private static final long MAX_HEADER = 100L << 20;
    /** Bounds what reading a file can allocate (a checkpoint of the seed network is about 330 KB, of preact-resnet-1202 about 155 MB). */
    private static final long MAX_FILE = 1L << 30;

    /** One float32 tensor on the host. */
    public record Entry(int[] shape, float[] data) {
        public Entry {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                        + " elements, data has " + data.length);
            }
        }
    }

    /** Tensors in file order and the metadata strings. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {
    }

    private Safetensors() {
    }

    public static byte[] encode(Map<String, Entry> tensors, Map<String, String> metadata) {
        StringBuilder h = new StringBuilder("{");
        boolean first = true;
        if (metadata != null && !metadata.isEmpty()) {
            h.append(Json.quote(METADATA)).append(":{");
            boolean f = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                h.append(f ? "" : ",").append(Json.quote(m.getKey())).append(':').append(Json.quote(m.getValue()));
                f = false;
            }
            h.append('}');
            first = false;
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("safetensors: '" + METADATA + "' is not a tensor name");
            }
            long bytes = 4L * e.getValue().data().length;
            h.append(first ? "" : ",").append(Json.quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":[");
            int[] shape = e.getValue().shape();
            for (int i = 0; i < shape.length; i++) {
                h.append(i == 0 ? "" : ",").append(shape[i]);
            }
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
            first = false;
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(header);
        for (int i = header.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        for (Entry e : tensors.values()) {
            buf.asFloatBuffer().put(e.data());
            buf.position(buf.position() + 4 * e.data().length);
        }
        return buf.array();
    }

    public static Contents decode(byte[] file, String name) {
        if (file.length < 8) {
            throw new UserError(name + ": not a safetensors file (" + file.length + " bytes, shorter than the header length)");
        }
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > file.length) {
            throw new UserError(name + ": not a safetensors file (header length " + headerLen + " does not fit the "
                    + file.length + "-byte file)");
        }
        String json = new String(file, 8, (int) headerLen, StandardCharsets.UTF_8);
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new UserError(name + ": safetensors header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new UserError(name + ": safetensors header is not a JSON object");
        }
        int base = 8 + (int) headerLen;
        long dataLen = file.length - base;
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> spans = new java.util.ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals(METADATA)) {
                if (e.getValue() instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> metadata.put((String) k, String.valueOf(v)));
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw new UserError(name + ": tensor '" + key + "' has no description object");
            }
            Object dtype = info.get("dtype");
            if (!"F32".equals(dtype)) {
                throw new UserError(name + ": tensor '" + key + "' has dtype " + dtype + ", expected F32 (float32, the"
                        + " only type this program reads)");
            }
            int[] shape = ints(info.get("shape"), name, key, "shape");
            int[] off = ints(info.get("data_offsets"), name, key, "data_offsets");
            long n = 1;
            for (int d : shape) {
                n *= d;
                // Checked after each factor, so a long shape cannot overflow into a small count.
                if (4 * n > dataLen) {
                    throw new UserError(name + ": tensor '" + key + "' shape " + Arrays.toString(shape)
                            + " needs more than the file's " + dataLen + " data bytes");
                }
            }
            if (off.length != 2 || off[1] < off[0] || off[1] > dataLen || off[1] - off[0] != 4 * n) {
                throw new UserError(name + ": tensor '" + key + "' data_offsets " + Arrays.toString(off)
                        + " do not match shape " + Arrays.toString(shape) + " (F32) within " + dataLen + " data bytes");
            }
            float[] data = new float[(int) n];
            ByteBuffer.wrap(file, base + off[0], off[1] - off[0]).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            tensors.put(key, new Entry(shape, data));
            spans.add(new long[] {off[0], off[1], spans.size()});
        }
        checkLayout(spans, List.copyOf(tensors.keySet()), dataLen, name);
        return new Contents(tensors, metadata);
    }

    /**
     * As the reference implementation requires: the tensors' byte ranges, in offset order, follow
     * each other without overlap or gap and end exactly at the end of the file.
     */
    private static void checkLayout(List<long[]> spans, List<String> names, long dataLen, String name) {
        spans.sort(java.util.Comparator.<long[]>comparingLong(s -> s[0]).thenComparingLong(s -> s[1]));
        long end = 0;
        String previous = null;
        for (long[] s : spans) {
            String key = names.get((int) s[2]);
            if (s[0] < end) {
                throw new UserError(name + ": tensor '" + key + "' data_offsets [" + s[0] + ", " + s[1]
                        + "] overlap those of tensor '" + previous + "' (ending at " + end + ")");
            }
            if (s[0] > end) {
                throw new UserError(name + ": tensor '" + key + "' data_offsets [" + s[0] + ", " + s[1]
                        + "] leave a gap after byte " + end + "; the file is damaged");
            }
            end = s[1];
            previous = key;
        }
        if (end != dataLen) {
            throw new UserError(name + ": " + (dataLen - end) + " bytes after the last tensor's data; the file is"
                    + " damaged or not a safetensors file");
        }
    }

    private static int[] ints(Object v, String file, String key, String field) {
        if (!(v instanceof List<?> list)) {
            throw new UserError(file + ": tensor '" + key + "' has no '" + field + "' array");
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw new UserError(file + ": tensor '" + key + "' field '" + field + "' holds " + list.get(i)
                        + ", not a non-negative integer");
            }
            out[i] = l.intValue();
        }
        return out;
    }

    public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, encode(tensors, metadata));
    }

    public static Contents read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new UserError(file + " is a directory; pass the .safetensors file");
            }
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new UserError(file + " is not a regular file (a device or pipe?); pass the .safetensors file");
            }
            long size = Files.size(file);
            if (size > MAX_FILE) {
                throw new UserError(file + " is " + size + " bytes, far larger than a model or checkpoint of this"
                        + " network; not a file of this program");
            }
            return decode(Files.readAllBytes(file), file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError("model file " + file + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UserError("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * The module's state as PyTorch's {@code state_dict} holds it, in its order: parameters and
     * buffers (BN's running statistics), as host copies with their dotted names.
     */
    public static Map<String, Entry> fromModule(Module module) {
        Map<String, Entry> out = new LinkedHashMap<>();
        state(module).forEach((n, t) -> out.put(n, new Entry(t.shape(), t.toArray())));
        return out;
    }

    /** Parameters and buffers by name, in {@code state_dict} order. */
    static Map<String, Tensor> state(Module module) {
        return module.namedState();
    }

    /** Names listed in an error: all 14 of the seed model, not the 3,000 of a 1000-layer net. */
    private static final int NAMES_SHOWN = 16;

    /**
     * Copies tensors into the module's parameters and buffers; the names must match exactly and
     * shapes agree. Extra tensors whose names start with one of {@code ignoredPrefixes} are allowed.
     */
    public static void loadInto(Module module, Map<String, Entry> tensors, String file, String... ignoredPrefixes) {
        Map<String, Tensor> params = state(module);
        for (String key : tensors.keySet()) {
            if (!params.containsKey(key) && Arrays.stream(ignoredPrefixes).noneMatch(key::startsWith)) {
                List<String> names = List.copyOf(params.keySet());
                String expected = names.size() <= NAMES_SHOWN ? String.join(", ", names)
                        : String.join(", ", names.subList(0, NAMES_SHOWN)) + ", ... (" + names.size() + " in all)";
                throw new UserError(file + ": tensor '" + key + "' is not a parameter of the model (expected "
                        + expected + ")");
            }
        }
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            Entry e = tensors.get(p.getKey());
            if (e == null) {
                throw new UserError(file + ": parameter '" + p.getKey() + "' is missing");
            }
            if (!Arrays.equals(e.shape(), p.getValue().shape())) {
                throw new UserError(file + ": parameter '" + p.getKey() + "' has shape " + Arrays.toString(e.shape())
                        + ", the model needs " + Arrays.toString(p.getValue().shape()));
            }
            p.getValue().copyFrom(e.data());
        }
    }
}
