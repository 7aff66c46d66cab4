using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace IlgpuCnn.Device;

/// <summary>
/// One ILGPU <see cref="Context"/> and one accelerator: CUDA, an OpenCL device (a GPU driver's, or
/// PoCL on the CPU) or the ILGPU CPU accelerator (see <see cref="DeviceKind"/> for auto's order).
/// Create one per process (or per test collection) and share it; every kernel cache
/// (<c>Kernels.*</c>) hangs off it so each kernel is loaded once.
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

    /// <summary>True on an NVIDIA GPU through CUDA.</summary>
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>True on an OpenCL device (a GPU driver's, or PoCL compiling the kernels for the CPU).</summary>
    public bool IsOpenCL => Accelerator.AcceleratorType == AcceleratorType.OpenCL;

    /// <summary>True on ILGPU's CPU accelerator, the simulator that runs every GPU thread as .NET code.</summary>
    public bool IsSimulator => Accelerator.AcceleratorType == AcceleratorType.CPU;

    /// <summary>True where a compiler turns the kernels into machine code (CUDA, OpenCL): the GPU bodies (tiles, barriers) run there.</summary>
    public bool RunsGpuBodies => !IsSimulator;

    /// <summary>Human-readable accelerator name, e.g. "NVIDIA H100 (CUDA)", "cpu-x86-64 (OpenCL CPU, Portable Computing Language, CL30, 2 compute units)" or "ILGPU CPU accelerator".</summary>
    public string Name => Accelerator switch
    {
        CLAccelerator cl => $"{cl.Name} ({OpenClDevices.Describe(cl.Device)}, {cl.NumMultiprocessors} compute units)",
        _ when IsCuda => $"{Accelerator.Name} (CUDA)",
        _ => "ILGPU CPU accelerator",
    };

    /// <summary>Memory the device can hold: the GPU's memory on CUDA and OpenCL (at most what this process may use, for an OpenCL CPU device); on the CPU accelerator the memory this process may use (RAM or the container's limit).</summary>
    public long MemoryBytes => IsCuda ? Accelerator.MemorySize
        : IsOpenCL ? Math.Min(Accelerator.MemorySize, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
        : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

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
            if (kind is DeviceKind.Auto or DeviceKind.Cuda)
            {
                builder.Cuda();
            }

            if (kind is DeviceKind.Auto or DeviceKind.OpenCL)
            {
                builder.OpenCL(OpenClDevices.Accepts);
            }

            builder.CPU(cpu);
        });
        try
        {
            return new ComputeDevice(context, Pick(context, kind).CreateAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The device <paramref name="kind"/> asks for: CUDA, then an OpenCL GPU, then an OpenCL CPU device, then the CPU accelerator (auto takes the first present).</summary>
    private static ILGPU.Runtime.Device Pick(Context context, DeviceKind kind)
    {
        var cuda = context.GetCudaDevices();
        if (kind is DeviceKind.Auto or DeviceKind.Cuda && cuda.Count > 0)
        {
            return cuda[0];
        }

        if (kind == DeviceKind.Cuda)
        {
            throw new UserError("--device cuda was asked for but ILGPU finds no CUDA GPU on this machine; use --device opencl, cpu or auto.");
        }

        var openCl = OpenClDevices.Usable(context).OrderBy(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU ? 0 : 1).FirstOrDefault();
        if (kind is DeviceKind.Auto or DeviceKind.OpenCL && openCl is not null)
        {
            return openCl;
        }

        return kind == DeviceKind.OpenCL ? throw new UserError(OpenClDevices.WhyNone()) : context.GetCPUDevice(0);
    }

    /// <summary>True when ILGPU sees a CUDA GPU on this machine.</summary>
    public static bool HasCuda()
    {
        using var context = Context.Create(builder => builder.Cuda());
        return context.GetCudaDevices().Count > 0;
    }

    /// <summary>True when ILGPU sees a CUDA GPU or an OpenCL device it can use (auto would not take the CPU accelerator).</summary>
    public static bool HasCompiledDevice()
    {
        using var context = Context.Create(builder => builder.Cuda().OpenCL(OpenClDevices.Accepts));
        return context.GetCudaDevices().Count > 0 || OpenClDevices.Usable(context).Count > 0;
    }

    /// <summary>One line per accelerator ILGPU can see: CUDA GPUs, every OpenCL device (accepted or why not), the CPU accelerator.</summary>
    public static IReadOnlyList<string> Describe()
    {
        var lines = new List<string>();
        using (var context = Context.Create(builder => builder.Cuda()))
        {
            foreach (var cuda in context.GetCudaDevices())
            {
                lines.Add($"cuda    {cuda.Name}  memory {cuda.MemorySize / (1024.0 * 1024 * 1024):F1} GiB  compute capability {cuda.Architecture}  SMs {cuda.NumMultiprocessors}");
            }
        }

        lines.AddRange(DescribeOpenCl());
        lines.Add($"cpu     ILGPU CPU accelerator ({Environment.ProcessorCount} cores; a simulator for tests and small runs)");
        return lines;
    }

    private static IEnumerable<string> DescribeOpenCl()
    {
        if (!OpenClDevices.LoaderPresent())
        {
            return [$"opencl  none: the ICD loader {OpenClDevices.Loader} is missing (Debian/Ubuntu: apt-get install ocl-icd-opencl-dev)"];
        }

        using var context = OpenClDevices.ListingContext();
        var all = OpenClDevices.All(context);
        if (all.Count == 0)
        {
            return [$"opencl  none: {OpenClDevices.Loader} shows no device; {OpenClDevices.SetupHint}"];
        }

        return all.Select(a => $"opencl  {a.Device.Name} ({OpenClDevices.Describe(a.Device)})  "
            + $"compute units {a.Device.NumMultiprocessors}  max group {a.Device.MaxNumThreadsPerGroup}  local memory {a.Device.MaxSharedMemoryPerGroup / 1024} KiB  memory {a.Device.MemorySize / (1024.0 * 1024 * 1024):F1} GiB  "
            + (a.Rejection is null ? "usable" : $"not usable: {a.Rejection}")).ToList();
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
