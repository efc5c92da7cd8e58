using System;
using System.Globalization;
using System.Numerics.Tensors;
using DslLosses;
using DslLosses.Sample;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// The example of Keras's BinaryCrossentropy documentation (from_logits=True).
float[,] yTrue = { { 0, 1 }, { 0, 0 } };
float[,] logits = { { -18.6f, 0.51f }, { 2.94f, -12.8f } };

Console.WriteLine("Keras BinaryCrossentropy(from_logits=True), documentation example");
Console.WriteLine($"{"case",-32} {"Keras docs",12} {"DslLosses",12}");
var bce = new BinaryCrossentropy(fromLogits: true);
Row("mean (sum_over_batch_size)", "0.865", bce.Compute(yTrue, logits));
Row("sample_weight [0.8, 0.2]", "0.243", bce.Compute(yTrue, logits, new float[] { 0.8f, 0.2f }));
Row("reduction sum", "1.730", new BinaryCrossentropy(fromLogits: true, reduction: Reduction.Sum).Compute(yTrue, logits));
Span<float> perSample = stackalloc float[2];
bce.Compute(new ReadOnlyTensorSpan<float>(yTrue), new ReadOnlyTensorSpan<float>(logits), new TensorSpan<float>(perSample));
Console.WriteLine($"{"reduction none",-32} {"[0.235, 1.496]",12} [{perSample[0]:F4}, {perSample[1]:F4}]");
Console.WriteLine("(the Keras docs print three digits, sometimes cut rather than rounded: 0.2436 appears as 0.243, 1.7309 as 1.730)");

Console.WriteLine();
Console.WriteLine("Keras binary_crossentropy on probabilities, documentation example");
var probs = Losses.binary_crossentropy(
    new ReadOnlyTensorSpan<float>(new float[,] { { 0, 1 }, { 0, 0 } }),
    new ReadOnlyTensorSpan<float>(new float[,] { { 0.6f, 0.4f }, { 0.4f, 0.6f } }));
Console.WriteLine($"{"per-sample",-32} {"[0.916, 0.714]",12} [{probs[0]:F4}, {probs[1]:F4}]");

Console.WriteLine();
Console.WriteLine("A formula of our own (MyLosses.FocalBce, generated at build time), gamma = 2");
float[,] labels = { { 0, 1, 1 }, { 1, 0, 0 } };
float[,] predictions = { { 0.1f, 0.8f, 0.3f }, { 0.95f, 0.2f, 0.6f } };
Console.WriteLine($"  mean over the batch: {MyLosses.FocalBce(labels, predictions, 2f):F6}");
Tensor<float> focal = MyLosses.FocalBcePerSample(labels, predictions, 2f);
Console.WriteLine($"  per sample:          [{focal[0]:F6}, {focal[1]:F6}]");
Console.WriteLine($"  plain BCE, for scale: {new BinaryCrossentropy().Compute(labels, predictions):F6} (focal down-weights the easy examples)");

try
{
    // With constant sizes (new float[3, 3]) this call does not compile: analyzer DSL0106 reports the mismatch.
    // Sizes known only at run time are checked when the kernel is entered.
    int rows = args.Length + 3;
    MyLosses.FocalBce(labels, new float[rows, 3], 2f);
}
catch (ShapeMismatchException ex)
{
    Console.WriteLine();
    Console.WriteLine("Shapes known only at run time are checked at entry (constant ones at compile time, DSL0106):");
    Console.WriteLine("  " + ex.Message);
}

Console.WriteLine();
Training.Run();

static void Row(string name, string keras, float value) => Console.WriteLine($"{name,-32} {keras,12} {value,12:F4}");
