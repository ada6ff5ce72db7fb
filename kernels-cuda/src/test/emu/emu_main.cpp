// The emulated GPU: a process that the Java tests drive over stdin/stdout (EmulatedGpu.java) with
// little-endian binary commands: allocate, free, memset, upload, download, launch. It runs the
// module's real kernel sources (included below) on the CPU through emu.h.
#include <cstring>
#include <string>
#include <ucontext.h>
#include <unordered_map>
#include <vector>

#include "batch_norm.cu"
#include "conv2d.cu"
#include "cross_entropy.cu"
#include "elementwise.cu"
#include "global_avg_pool.cu"
#include "linear.cu"
#include "maxpool2d.cu"
#include "relu.cu"
#include "sgd.cu"
#include "zero_pad_shortcut.cu"

uint3 threadIdx;
uint3 blockIdx;
dim3 blockDim;
dim3 gridDim;

// ---- execution ---------------------------------------------------------------------------------

#ifndef EMU_BLOCK
#define EMU_BLOCK 64u  // threads per emulated block: two warps, so cross-warp reductions run
#endif
static const size_t STACK = 256 * 1024;

struct Barrier {
    unsigned arrived = 0;
    unsigned generation = 0;
};

static bool cooperative = false;
static ucontext_t scheduler;
static std::vector<ucontext_t> fibers(EMU_BLOCK);
static std::vector<std::vector<char>> stacks(EMU_BLOCK, std::vector<char>(STACK));
static std::vector<bool> finished(EMU_BLOCK);
static unsigned current;
static void (*kernelBody)(const uint64_t*);
static const uint64_t* kernelArgs;
static Barrier blockBarrier;
static Barrier warpBarriers[EMU_BLOCK / 32];

static void yieldFiber() {
    swapcontext(&fibers[current], &scheduler);
}

static void wait(Barrier& b, unsigned expected) {
    if (!cooperative) {
        std::fprintf(stderr, "emu: a barrier in a kernel not marked cooperative\n");
        std::abort();
    }
    unsigned generation = b.generation;
    if (++b.arrived == expected) {
        b.arrived = 0;
        b.generation++;
        return;
    }
    while (b.generation == generation) {
        yieldFiber();
    }
}

void emu_sync_block() {
    wait(blockBarrier, blockDim.x);
}

void emu_sync_warp() {
    unsigned warp = threadIdx.x / 32;
    wait(warpBarriers[warp], min(32u, blockDim.x - warp * 32));
}

static void fiberMain() {
    kernelBody(kernelArgs);
    finished[current] = true;
}

static void launch(void (*body)(const uint64_t*), bool coop, unsigned blocks, const uint64_t* args) {
    gridDim.x = blocks;
    blockDim.x = EMU_BLOCK;
    cooperative = coop;
    kernelBody = body;
    kernelArgs = args;
    for (unsigned b = 0; b < blocks; b++) {
        blockIdx.x = b;
        if (!coop) {
            for (unsigned t = 0; t < EMU_BLOCK; t++) {
                threadIdx.x = t;
                body(args);
            }
            continue;
        }
        for (unsigned t = 0; t < EMU_BLOCK; t++) {
            getcontext(&fibers[t]);
            fibers[t].uc_stack.ss_sp = stacks[t].data();
            fibers[t].uc_stack.ss_size = STACK;
            fibers[t].uc_link = &scheduler;
            makecontext(&fibers[t], fiberMain, 0);
            finished[t] = false;
        }
        bool running = true;
        while (running) {
            running = false;
            for (unsigned t = 0; t < EMU_BLOCK; t++) {
                if (!finished[t]) {
                    running = true;
                    current = t;
                    threadIdx.x = t;
                    swapcontext(&scheduler, &fibers[t]);
                }
            }
        }
        if (blockBarrier.arrived != 0) {
            std::fprintf(stderr, "emu: block ended with threads waiting at a barrier\n");
            std::abort();
        }
    }
}

// ---- kernel table --------------------------------------------------------------------------------

#define P(i) ((float*)(uintptr_t)a[i])
#define LBL(i) ((const int*)(uintptr_t)a[i])
#define I(i) ((int)(int64_t)a[i])
#define L(i) ((long long)a[i])
static float F(uint64_t v) {
    uint32_t bits = (uint32_t)v;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}
#define FL(i) F(a[i])

struct Entry {
    void (*body)(const uint64_t*);
    bool cooperative;
};

static const std::unordered_map<std::string, Entry> KERNELS = {
    {"conv2d_forward", {[](const uint64_t* a) { conv2d_forward(P(0), P(1), P(2), P(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12), I(13), I(14)); }, false}},
    {"conv2d_backward_input", {[](const uint64_t* a) { conv2d_backward_input(P(0), P(1), P(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12), I(13)); }, false}},
    {"conv2d_backward_weight", {[](const uint64_t* a) { conv2d_backward_weight(P(0), P(1), P(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12), I(13)); }, true}},
    {"conv2d_backward_bias", {[](const uint64_t* a) { conv2d_backward_bias(P(0), P(1), I(2), I(3), I(4)); }, true}},
    {"relu_forward", {[](const uint64_t* a) { relu_forward(P(0), P(1), L(2)); }, false}},
    {"relu_backward", {[](const uint64_t* a) { relu_backward(P(0), P(1), P(2), L(3)); }, false}},
    {"maxpool2d_forward", {[](const uint64_t* a) { maxpool2d_forward(P(0), P(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9)); }, false}},
    {"maxpool2d_backward", {[](const uint64_t* a) { maxpool2d_backward(P(0), P(1), P(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10)); }, false}},
    {"linear_forward", {[](const uint64_t* a) { linear_forward(P(0), P(1), P(2), P(3), I(4), I(5), I(6)); }, true}},
    {"linear_backward_input", {[](const uint64_t* a) { linear_backward_input(P(0), P(1), P(2), I(3), I(4), I(5)); }, false}},
    {"linear_backward_weight", {[](const uint64_t* a) { linear_backward_weight(P(0), P(1), P(2), I(3), I(4), I(5)); }, false}},
    {"linear_backward_bias", {[](const uint64_t* a) { linear_backward_bias(P(0), P(1), I(2), I(3)); }, false}},
    {"add", {[](const uint64_t* a) { add(P(0), P(1), P(2), L(3)); }, false}},
    {"add_in_place", {[](const uint64_t* a) { add_in_place(P(0), P(1), L(2)); }, false}},
    {"fill", {[](const uint64_t* a) { fill(P(0), FL(1), L(2)); }, false}},
    {"copy", {[](const uint64_t* a) { copy(P(0), P(1), L(2)); }, false}},
    {"cross_entropy_forward", {[](const uint64_t* a) { cross_entropy_forward(P(0), LBL(1), P(2), P(3), I(4), I(5)); }, true}},
    {"cross_entropy_backward", {[](const uint64_t* a) { cross_entropy_backward(P(0), LBL(1), P(2), P(3), I(4), I(5)); }, false}},
    {"sgd_momentum", {[](const uint64_t* a) { sgd_momentum(P(0), P(1), P(2), L(3), FL(4), FL(5), FL(6)); }, false}},
    {"batch_norm_stats", {[](const uint64_t* a) { batch_norm_stats(P(0), P(1), P(2), I(3), I(4), I(5)); }, true}},
    {"batch_norm_forward", {[](const uint64_t* a) { batch_norm_forward(P(0), P(1), P(2), P(3), P(4), P(5), I(6), I(7), I(8), FL(9)); }, false}},
    {"batch_norm_update_running", {[](const uint64_t* a) { batch_norm_update_running(P(0), P(1), P(2), P(3), I(4), FL(5), L(6)); }, false}},
    {"batch_norm_backward_reduce", {[](const uint64_t* a) { batch_norm_backward_reduce(P(0), P(1), P(2), P(3), P(4), P(5), I(6), I(7), I(8), FL(9)); }, true}},
    {"batch_norm_backward_input", {[](const uint64_t* a) { batch_norm_backward_input(P(0), P(1), P(2), P(3), P(4), P(5), P(6), P(7), I(8), I(9), I(10), FL(11), I(12)); }, false}},
    {"global_avg_pool_forward", {[](const uint64_t* a) { global_avg_pool_forward(P(0), P(1), I(2), I(3)); }, false}},
    {"global_avg_pool_backward", {[](const uint64_t* a) { global_avg_pool_backward(P(0), P(1), I(2), I(3)); }, false}},
    {"zero_pad_shortcut_forward", {[](const uint64_t* a) { zero_pad_shortcut_forward(P(0), P(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9)); }, false}},
    {"zero_pad_shortcut_backward", {[](const uint64_t* a) { zero_pad_shortcut_backward(P(0), P(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9)); }, false}},
};

// ---- protocol ------------------------------------------------------------------------------------

static void readFully(void* p, size_t n) {
    if (n > 0 && std::fread(p, 1, n, stdin) != n) {
        std::exit(0);  // the test JVM closed the pipe
    }
}

static uint64_t u64() {
    uint64_t v;
    readFully(&v, 8);
    return v;
}

static void reply(const void* p, size_t n) {
    std::fwrite(p, 1, n, stdout);
}

int main() {
    std::vector<char> buffer;
    for (;;) {
        int c = std::getchar();
        if (c == EOF) {
            return 0;
        }
        switch (c) {
            case 'A': {  // allocate n bytes, filled with NaN bits so reads of unwritten memory show
                uint64_t n = u64();
                void* p = std::malloc(n == 0 ? 1 : n);
                std::memset(p, 0xFF, n);
                uint64_t h = (uint64_t)(uintptr_t)p;
                reply(&h, 8);
                break;
            }
            case 'F':
                std::free((void*)(uintptr_t)u64());
                break;
            case 'S': {  // memset 32-bit words
                uint32_t* p = (uint32_t*)(uintptr_t)u64();
                uint32_t v = (uint32_t)u64();
                uint64_t n = u64();
                for (uint64_t i = 0; i < n; i++) p[i] = v;
                break;
            }
            case 'U': {
                char* p = (char*)(uintptr_t)u64();
                uint64_t n = u64();
                readFully(p, n);
                break;
            }
            case 'D': {
                char* p = (char*)(uintptr_t)u64();
                uint64_t n = u64();
                reply(p, n);
                break;
            }
            case 'L': {
                uint64_t nameLength = u64();
                std::string name(nameLength, '\0');
                readFully(name.data(), nameLength);
                unsigned blocks = (unsigned)u64();
                uint64_t count = u64();
                std::vector<uint64_t> args(count);
                readFully(args.data(), count * 8);
                auto k = KERNELS.find(name);
                if (k == KERNELS.end()) {
                    std::fprintf(stderr, "emu: unknown kernel %s\n", name.c_str());
                    return 2;
                }
                launch(k->second.body, k->second.cooperative, blocks, args.data());
                break;
            }
            case 'Y': {  // synchronise: answer once everything before has run
                char ok = 1;
                reply(&ok, 1);
                break;
            }
            default:
                std::fprintf(stderr, "emu: bad command %d\n", c);
                return 2;
        }
        std::fflush(stdout);
    }
}
