using System;

namespace DslLosses.Benchmarks;

/// <summary>The built-in losses the benchmarks compare.</summary>
public enum Loss
{
    BceProbs,
    BceLogits,
    CceProbs,
    CceLogits,
    SparseCceLogits,
    Poisson,
    KLDivergence,
}

/// <summary>Seeded inputs of one loss and size: labels/targets and predictions (probabilities, logits or rates).</summary>
public sealed class Inputs
{
    public Inputs(Loss loss, int rows, int columns, int seed = 1)
    {
        Rows = rows;
        Columns = columns;
        var random = new Random(seed);
        int n = rows * columns;
        YTrue = new float[n];
        YPred = new float[n];
        Labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            Labels[r] = random.Next(columns);
            for (int c = 0; c < columns; c++)
            {
                int i = r * columns + c;
                switch (loss)
                {
                    case Loss.BceProbs:
                        YTrue[i] = random.Next(2);
                        YPred[i] = (float)(0.01 + 0.98 * random.NextDouble());
                        break;
                    case Loss.BceLogits:
                        YTrue[i] = random.Next(2);
                        YPred[i] = (float)(random.NextDouble() * 12 - 6);
                        break;
                    case Loss.CceProbs or Loss.KLDivergence:
                        YTrue[i] = (float)random.NextDouble();
                        YPred[i] = (float)(0.01 + random.NextDouble());
                        break;
                    case Loss.CceLogits or Loss.SparseCceLogits:
                        YTrue[i] = c == Labels[r] ? 1f : 0f;
                        YPred[i] = (float)(random.NextDouble() * 12 - 6);
                        break;
                    case Loss.Poisson:
                        YTrue[i] = random.Next(5);
                        YPred[i] = (float)(0.05 + 4 * random.NextDouble());
                        break;
                }
            }
        }
        if (loss is Loss.CceProbs or Loss.KLDivergence)
        {
            // rows of y_true and y_pred that are distributions, as these losses expect
            for (int r = 0; r < rows; r++)
            {
                float st = 0, sp = 0;
                for (int c = 0; c < columns; c++)
                {
                    st += YTrue[r * columns + c];
                    sp += YPred[r * columns + c];
                }
                for (int c = 0; c < columns; c++)
                {
                    YTrue[r * columns + c] /= st;
                    YPred[r * columns + c] /= sp;
                }
            }
        }
    }

    public int Rows { get; }
    public int Columns { get; }
    public float[] YTrue { get; }
    public float[] YPred { get; }
    public int[] Labels { get; }

    public static (int Rows, int Columns) ParseSize(string size)
    {
        string[] parts = size.Split('x');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }
}
