using System;
using System.Numerics.Tensors;
using DslLosses;

namespace DslLosses.Sample;

/// <summary>
/// Softmax regression trained with nothing but DslLosses' fused loss-and-gradient kernel and plain SGD: no tape, no
/// native library. The data are three seeded Gaussian blobs in the plane.
/// </summary>
internal static class Training
{
    private const int Classes = 3, Features = 2, PerClass = 200, Epochs = 40, BatchSize = 50;
    private const float LearningRate = 0.02f;

    public static void Run()
    {
        (float[] x, int[] y) = Blobs(new Random(42));
        int n = y.Length;
        var w = new float[Features * Classes];
        var b = new float[Classes];
        var loss = new SparseCategoricalCrossentropy(fromLogits: true);

        var logits = new float[BatchSize * Classes];
        var gradient = new float[BatchSize * Classes];
        nint[] shape = { BatchSize, Classes };
        var order = new int[n];
        for (int i = 0; i < n; i++)
            order[i] = i;
        var shuffle = new Random(7);
        var batchX = new float[BatchSize * Features];
        var batchY = new int[BatchSize];
        var curve = new float[Epochs];

        Console.WriteLine($"Softmax regression, {n} points in {Classes} classes, SGD lr {LearningRate}, batch {BatchSize}, loss and gradient from SparseCategoricalCrossentropy.ComputeWithGradient");
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            double epochLoss = 0;
            for (int start = 0; start + BatchSize <= n; start += BatchSize)
            {
                for (int k = 0; k < BatchSize; k++)
                {
                    int i = order[start + k];
                    batchY[k] = y[i];
                    for (int f = 0; f < Features; f++)
                        batchX[k * Features + f] = x[i * Features + f];
                }
                Forward(batchX, w, b, logits);
                float l = loss.ComputeWithGradient(batchY, new ReadOnlyTensorSpan<float>(logits, shape, default), new TensorSpan<float>(gradient, shape, default));
                epochLoss += l;

                // dL/dW = X^T G, dL/db = sum of G over the batch (G already holds the 1/B of the mean)
                for (int c = 0; c < Classes; c++)
                {
                    float gb = 0;
                    for (int k = 0; k < BatchSize; k++)
                        gb += gradient[k * Classes + c];
                    b[c] -= LearningRate * gb;
                    for (int f = 0; f < Features; f++)
                    {
                        float gw = 0;
                        for (int k = 0; k < BatchSize; k++)
                            gw += batchX[k * Features + f] * gradient[k * Classes + c];
                        w[f * Classes + c] -= LearningRate * gw;
                    }
                }
            }
            curve[epoch] = (float)(epochLoss / (n / BatchSize));
            if (epoch % 5 == 0 || epoch == Epochs - 1)
                Console.WriteLine($"  epoch {epoch + 1,3}: mean loss {curve[epoch]:F4}");
        }

        var all = new float[n * Classes];
        Forward(x, w, b, all, n);
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int c = 1; c < Classes; c++)
            {
                if (all[i * Classes + c] > all[i * Classes + best])
                    best = c;
            }
            correct += best == y[i] ? 1 : 0;
        }
        Console.WriteLine($"  training accuracy: {100.0 * correct / n:F1}% ({correct}/{n})");
        Plot(curve);
    }

    private static void Forward(float[] x, float[] w, float[] b, float[] logits, int rows = BatchSize)
    {
        for (int k = 0; k < rows; k++)
        {
            for (int c = 0; c < Classes; c++)
            {
                float z = b[c];
                for (int f = 0; f < Features; f++)
                    z += x[k * Features + f] * w[f * Classes + c];
                logits[k * Classes + c] = z;
            }
        }
    }

    private static (float[] X, int[] Y) Blobs(Random random)
    {
        (float X, float Y)[] centres = { (-2f, 0f), (2f, 0.5f), (0f, 2.5f) };
        var x = new float[Classes * PerClass * Features];
        var y = new int[Classes * PerClass];
        for (int c = 0; c < Classes; c++)
        {
            for (int k = 0; k < PerClass; k++)
            {
                int i = c * PerClass + k;
                y[i] = c;
                x[i * Features] = centres[c].X + (float)Gaussian(random);
                x[i * Features + 1] = centres[c].Y + (float)Gaussian(random);
            }
        }
        return (x, y);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The loss per epoch as an ASCII chart: one column per epoch, loss on the vertical axis.</summary>
    private static void Plot(float[] curve)
    {
        const int height = 10;
        float max = curve[0], min = curve[0];
        foreach (float v in curve)
        {
            max = Math.Max(max, v);
            min = Math.Min(min, v);
        }
        Console.WriteLine("  loss per epoch:");
        for (int row = height - 1; row >= 0; row--)
        {
            float level = min + (max - min) * row / (height - 1);
            var line = new char[curve.Length];
            for (int e = 0; e < curve.Length; e++)
            {
                int r = (int)Math.Round((curve[e] - min) / (max - min) * (height - 1));
                line[e] = r == row ? '*' : ' ';
            }
            Console.WriteLine($"  {level,7:F4} |{new string(line)}");
        }
        Console.WriteLine($"          +{new string('-', curve.Length)}");
        Console.WriteLine($"           epoch 1{new string(' ', curve.Length - 9)}epoch {curve.Length}");
    }
}
