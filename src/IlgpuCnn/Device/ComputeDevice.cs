using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace IlgpuCnn.Device;

/// <summary>
/// One ILGPU <see cref="Context"/> and one accelerator: CUDA when present (or asked for), else the
/// ILGPU CPU accelerator. Create one per process (or per test collection) and share it; every
/// kernel cache (<c>Kernels.*</c>) hangs off it so each kernel is loaded once.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private readonly Dictionary<Type, object> _caches = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _planned = new();
    private readonly Context _context;
    private long _memSets;

    private ComputeDevice(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
        Figures = DeviceFigures.Of(accelerator);
    }

    /// <summary>ILGPU's optimisation level for every kernel (the PTX and assembler tests compile with it too).</summary>
    public const OptimizationLevel Optimization = OptimizationLevel.O1;

    public Accelerator Accelerator { get; }

    /// <summary>What the kernel plan reads of this device (type, multiprocessors, group and shared-memory limits).</summary>
    public DeviceFigures Figures { get; }

    /// <summary>True on an NVIDIA GPU.</summary>
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>Human-readable accelerator name, e.g. "NVIDIA H100 (CUDA)" or "CPU accelerator".</summary>
    public string Name => IsCuda ? $"{Accelerator.Name} (CUDA)" : "ILGPU CPU accelerator";

    /// <summary>Memory the device can hold: the GPU's memory on CUDA; on the CPU accelerator the memory this process may use (RAM or the container's limit).</summary>
    public long MemoryBytes => IsCuda ? Accelerator.MemorySize : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Opens a device. <paramref name="gpuShapedCpu"/> makes the CPU accelerator accept GPU-shaped
    /// launches (warp 32, up to 1024 threads per group) so the tiled kernels can be tested on it;
    /// it is slower per simulated thread, so training on the CPU uses the default shape.
    /// </summary>
    public static ComputeDevice Create(DeviceKind kind = DeviceKind.Auto, bool gpuShapedCpu = false)
    {
        var cpu = gpuShapedCpu ? CPUDevice.Nvidia : CPUDevice.Default;
        var context = Context.Create(builder =>
        {
            builder.Optimize(Optimization).EnableAlgorithms();
            if (kind != DeviceKind.Cpu)
            {
                builder.Cuda();
            }

            builder.CPU(cpu);
        });
        try
        {
            var cuda = context.GetCudaDevices();
            if (kind == DeviceKind.Cuda && cuda.Count == 0)
            {
                throw new UserError("--device cuda was asked for but ILGPU finds no CUDA GPU on this machine; use --device cpu or --device auto.");
            }

            Accelerator accelerator = kind != DeviceKind.Cpu && cuda.Count > 0
                ? cuda[0].CreateAccelerator(context)
                : context.GetCPUDevice(0).CreateAccelerator(context);
            return new ComputeDevice(context, accelerator);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>True when ILGPU sees a CUDA GPU on this machine.</summary>
    public static bool HasCuda()
    {
        using var context = Context.Create(builder => builder.Cuda());
        return context.GetCudaDevices().Count > 0;
    }

    /// <summary>One line per accelerator ILGPU can see, with memory and compute capability.</summary>
    public static IReadOnlyList<string> Describe()
    {
        using var context = Context.Create(builder => builder.Cuda().CPU(CPUDevice.Default));
        var lines = new List<string>();
        foreach (var device in context)
        {
            if (device is CudaDevice cuda)
            {
                lines.Add($"cuda  {cuda.Name}  memory {cuda.MemorySize / (1024.0 * 1024 * 1024):F1} GiB  compute capability {cuda.Architecture}  SMs {cuda.NumMultiprocessors}");
            }
            else
            {
                lines.Add($"cpu   ILGPU CPU accelerator ({Environment.ProcessorCount} cores; a simulator for tests and small runs)");
            }
        }

        return lines;
    }

    /// <summary>
    /// Per-device singleton of a kernel set (e.g. the conv kernels), created on first use so
    /// every kernel is compiled and loaded once per device.
    /// </summary>
    public T Kernels<T>(Func<ComputeDevice, T> create)
        where T : class
    {
        lock (_caches)
        {
            if (!_caches.TryGetValue(typeof(T), out var cached))
            {
                cached = create(this);
                _caches[typeof(T)] = cached;
            }

            return (T)cached;
        }
    }

    /// <summary>Memsets queued through <see cref="Zero"/> so far (the static profile counts a step's stream operations).</summary>
    public long MemSets => Interlocked.Read(ref _memSets);

    /// <summary>Queues a memset of <paramref name="view"/> to zero (one stream operation, counted in <see cref="MemSets"/>).</summary>
    public void Zero<T>(ArrayView<T> view)
        where T : unmanaged
    {
        Interlocked.Increment(ref _memSets);
        view.MemSetToZero();
    }

    /// <summary>Kernels launched through a kernel plan on this device ("Class.Method" → launches): what the self-test's coverage test reads.</summary>
    public IReadOnlyDictionary<string, long> PlannedLaunches => _planned;

    /// <summary>Counts one launch of <paramref name="kernel"/> in <see cref="PlannedLaunches"/>.</summary>
    public void NoteLaunch(string kernel) => _planned.AddOrUpdate(kernel, 1, (_, n) => n + 1);

    /// <summary>Waits for all queued kernels.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
