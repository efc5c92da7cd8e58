using System;
using System.Globalization;
using DslLosses;
using DslLosses.Testing;
using DslLosses.TorchSharpSample;
using TorchSharp;
using static TorchSharp.torch;

// Trains a small MLP with TorchSharp's Adam on a seeded two-moons set, with a focal loss written in the DSL: its
// forward and backward run the generated kernels on the tensors' own memory, inside TorchSharp's autograd.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
TorchLoader.EnsureLoadable(); // only for systems whose libstdc++ is older than GCC 13's (Debian 12); see the file

const int Points = 1000;
(float[] xs, float[] labels) = TwoMoons(Points, noise: 0.15, seed: 42);
using var x = tensor(xs, new long[] { Points, 2 });
using var y = tensor(labels, new long[] { Points, 1 });

manual_seed(0);
var model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1));
var adam = optim.Adam(model.parameters(), lr: 0.01);
const int BatchSize = 100, Epochs = 60;
Console.WriteLine($"Two moons, {Points} points (noise 0.15, seed 42); MLP 2-16-16-1, Adam lr 0.01, batch {BatchSize}");
Console.WriteLine("loss: SampleLosses.FocalBce(y, sigmoid(logits), gamma: 2), a [Loss] formula, through DslLosses.TorchSharp");
Console.WriteLine();
Console.WriteLine("epoch   mean focal loss   accuracy");
var order = new Random(7);
var indices = new long[Points];
for (int i = 0; i < Points; i++)
    indices[i] = i;
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    order.Shuffle(indices);
    double total = 0;
    for (int start = 0; start < Points; start += BatchSize)
    {
        using var scope = NewDisposeScope();
        var batch = tensor(indices.AsSpan(start, BatchSize).ToArray());
        adam.zero_grad();
        var loss = SampleLosses.FocalBce(y.index_select(0, batch), sigmoid(model.forward(x.index_select(0, batch))), gamma: 2.0);
        loss.backward();
        adam.step();
        total += loss.item<float>() * BatchSize;
    }
    if (epoch == 1 || epoch % 10 == 0)
        Console.WriteLine($"{epoch,5}   {total / Points,15:F5}   {Accuracy(),8:P1}");
}

using (no_grad())
{
    using var logits = model.forward(x);
    var bce = new BinaryCrossentropy(fromLogits: true);
    using var plain = bce.Call(y, logits);
    Console.WriteLine();
    Console.WriteLine($"after training: accuracy {Accuracy():P1}; Keras BinaryCrossentropy(fromLogits: true) through the bridge: {plain.item<float>():F5}");
}

double Accuracy()
{
    using var _ = no_grad();
    using var scope = NewDisposeScope();
    var predicted = (model.forward(x) > 0).to(ScalarType.Float32);
    return predicted.eq(y).to(ScalarType.Float32).mean().item<float>();
}

// The two interleaved half circles, with Gaussian noise; label 0 for the upper moon, 1 for the lower.
static (float[] Xs, float[] Labels) TwoMoons(int points, double noise, int seed)
{
    var random = new Random(seed);
    var xs = new float[points * 2];
    var labels = new float[points];
    for (int i = 0; i < points; i++)
    {
        int label = i % 2;
        double t = Math.PI * random.NextDouble();
        double px = label == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
        double py = label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
        xs[2 * i] = (float)(px + noise * Gaussian(random));
        xs[2 * i + 1] = (float)(py + noise * Gaussian(random));
        labels[i] = label;
    }
    return (xs, labels);
}

static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
