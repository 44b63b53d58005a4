using System.Globalization;
using System.Text;

namespace NovaBrain.Tests.Training;

/// <summary>Seeded CSV datasets whose labels follow a known rule, so that a trained model can be held to it.</summary>
internal static class TrainingData
{
    /// <summary>Three classes by which of two linear scores is larger (or neither above 0); features x1..x4, label "species".</summary>
    public static string ClassificationCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("x1,x2,x3,x4,species\n");
        for (var row = 0; row < rows; row++)
        {
            var x = Enumerable.Range(0, 4).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var (a, b) = (x[0] + 0.5 * x[1], x[2] - x[3]);
            var label = a < 0 && b < 0 ? "setosa" : a > b ? "versicolor" : "virginica";
            csv.Append(string.Join(',', x.Select(value => value.ToString("F4", CultureInfo.InvariantCulture)))).Append(',').Append(label).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>y = 3·x1 − 2·x2 + x1·x2 + 5 with a little noise; features x1, x2, label "y".</summary>
    public static string RegressionCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("x1,x2,y\n");
        for (var row = 0; row < rows; row++)
        {
            var (x1, x2) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            var y = 3 * x1 - 2 * x2 + x1 * x2 + 5 + (random.NextDouble() - 0.5) * 0.05;
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{y:F4}\n"));
        }
        return csv.ToString();
    }
}
