using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// The SAME model and training step as IlgpuCnn (and benchmarks/peers/pytorch_vgg.py), on LibTorch's
// CPU build through TorchSharp: four VGG blocks (conv-BN-ReLU ×2, max-pool, dropout), global average
// pooling, Dense-BN-ReLU-Dropout-Dense, softmax cross-entropy, AdamW(lr 1e-3, eps 1e-7, weight decay
// 0.003), fp32, synthetic data. Prints training images/s (after warm-up steps) as one line.
//
//   dotnet run -c Release --project benchmarks/peers/TorchSharpVgg -- [--width 1] [--batch-size 64] [--steps 10] [--warmup 2]
var options = ParseArgs(args);
double width = options.GetValueOrDefault("--width", 1.0);
int batch = (int)options.GetValueOrDefault("--batch-size", 64);
int steps = (int)options.GetValueOrDefault("--steps", 10);
int warmup = (int)options.GetValueOrDefault("--warmup", 2);

manual_seed(0);
var net = Model(width);
net.train();
var optimizer = optim.AdamW(net.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, weight_decay: 0.003);
var x = rand(batch, 3, 32, 32);
var y = randint(0, 10, [batch], dtype: ScalarType.Int64);
var lossFn = CrossEntropyLoss();

double seconds = 0;
for (int s = 0; s < warmup + steps; s++)
{
    var watch = Stopwatch.StartNew();
    using (var scope = NewDisposeScope())
    {
        optimizer.zero_grad();
        var loss = lossFn.forward(net.forward(x), y);
        loss.backward();
        optimizer.step();
    }

    if (s >= warmup)
    {
        seconds += watch.Elapsed.TotalSeconds;
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"LibTorch {__version__} CPU ({get_num_threads()} threads): width {width}, batch {batch}, {steps} timed steps: {seconds / steps * 1000:F1} ms/step, {batch * steps / seconds:F1} training images/s"));
return 0;

static TorchSharp.Modules.Sequential Model(double width)
{
    int[] f = [.. new[] { 32, 64, 128, 256 }.Select(c => Math.Max(1, (int)Math.Round(c * width)))];
    int d = Math.Max(1, (int)Math.Round(256 * width));
    var layers = new List<(string, Module<Tensor, Tensor>)>();
    int cin = 3;
    double[] drops = [0.2, 0.3, 0.4, 0.5];
    for (int b = 0; b < 4; b++)
    {
        layers.Add(($"conv{b}a", Conv2d(cin, f[b], 3, padding: 1)));
        layers.Add(($"bn{b}a", BatchNorm2d(f[b], eps: 1e-3, momentum: 0.01)));
        layers.Add(($"relu{b}a", ReLU()));
        layers.Add(($"conv{b}b", Conv2d(f[b], f[b], 3, padding: 1)));
        layers.Add(($"bn{b}b", BatchNorm2d(f[b], eps: 1e-3, momentum: 0.01)));
        layers.Add(($"relu{b}b", ReLU()));
        layers.Add(($"pool{b}", MaxPool2d(2)));
        layers.Add(($"drop{b}", Dropout(drops[b])));
        cin = f[b];
    }

    layers.Add(("gap", AdaptiveAvgPool2d(1)));
    layers.Add(("flatten", Flatten()));
    layers.Add(("dense1", Linear(cin, d)));
    layers.Add(("bn_dense", BatchNorm1d(d, eps: 1e-3, momentum: 0.01)));
    layers.Add(("relu_dense", ReLU()));
    layers.Add(("drop_dense", Dropout(0.35)));
    layers.Add(("dense2", Linear(d, 10)));
    return Sequential(layers);
}

static Dictionary<string, double> ParseArgs(string[] args)
{
    var parsed = new Dictionary<string, double>();
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        parsed[args[i]] = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }

    return parsed;
}
