using NovaBrain.Training.Templates;
using TorchSharp;
using static TorchSharp.torch;

namespace NovaBrain.Training.Trainer;

/// <summary>
/// One layer of a template's network, as both the trainer (a TorchSharp module) and the ONNX exporter (a node) need it.
/// Shapes are per row; the batch dimension comes first everywhere.
/// </summary>
public abstract record NetworkLayer
{
    public abstract nn.Module<Tensor, Tensor> CreateModule();
}

/// <summary>Flat rows [batch, C·H·W] to images [batch, C, H, W].</summary>
public sealed record ImageLayer(int Channels, int Height, int Width) : NetworkLayer
{
    public override nn.Module<Tensor, Tensor> CreateModule() => nn.Unflatten(1, [Channels, Height, Width]);
}

/// <summary>A 2-D convolution with stride 1 and <see cref="Padding"/> zeros on every side.</summary>
public sealed record ConvolutionLayer(int InputChannels, int OutputChannels, int KernelSize, int Padding) : NetworkLayer
{
    public override nn.Module<Tensor, Tensor> CreateModule() => nn.Conv2d(InputChannels, OutputChannels, KernelSize, padding: Padding);
}

/// <summary>Max-pooling over non-overlapping <see cref="Size"/>×<see cref="Size"/> windows, rounding down.</summary>
public sealed record MaxPoolLayer(int Size) : NetworkLayer
{
    public override nn.Module<Tensor, Tensor> CreateModule() => nn.MaxPool2d(Size, Size);
}

/// <summary>Images [batch, C, H, W] to rows [batch, C·H·W], channel-major like <see cref="ImageLayer"/>'s input.</summary>
public sealed record FlattenLayer : NetworkLayer
{
    public override nn.Module<Tensor, Tensor> CreateModule() => nn.Flatten();
}

public sealed record ReluLayer : NetworkLayer
{
    public override nn.Module<Tensor, Tensor> CreateModule() => nn.ReLU();
}

public sealed record LinearLayer(int Inputs, int Outputs) : NetworkLayer
{
    public override nn.Module<Tensor, Tensor> CreateModule() => nn.Linear(Inputs, Outputs);
}

/// <summary>The layers of each built-in architecture, from the hyperparameters and the dataset's widths.</summary>
public static class NetworkLayers
{
    public static IReadOnlyList<NetworkLayer> For(string architecture, Hyperparameters hyperparameters, int features, int outputs)
    {
        var layers = new List<NetworkLayer>();
        var width = features;
        if (architecture == BuiltInTemplates.CnnArchitecture)
        {
            var image = hyperparameters.Convolution!;
            if (features != image.Pixels)
            {
                throw new TrainingDataException(
                    $"The dataset has {features} feature columns; a {image.ShapeText} image (imageChannels×imageHeight×imageWidth) needs {image.Pixels}, one per pixel.");
            }
            layers.Add(new ImageLayer(image.Channels, image.Height, image.Width));
            var (channels, height, imageWidth) = (image.Channels, image.Height, image.Width);
            var padding = image.KernelSize / 2;
            foreach (var filters in image.Filters)
            {
                layers.Add(new ConvolutionLayer(channels, filters, image.KernelSize, padding));
                layers.Add(new ReluLayer());
                layers.Add(new MaxPoolLayer(2));
                channels = filters;
                height = (height + 2 * padding - image.KernelSize + 1) / 2;
                imageWidth = (imageWidth + 2 * padding - image.KernelSize + 1) / 2;
            }
            layers.Add(new FlattenLayer());
            width = channels * height * imageWidth;
        }
        foreach (var hidden in hyperparameters.HiddenLayers)
        {
            layers.Add(new LinearLayer(width, hidden));
            layers.Add(new ReluLayer());
            width = hidden;
        }
        layers.Add(new LinearLayer(width, outputs));
        return layers;
    }

    /// <summary>
    /// How the inputs are standardised: per column for tabular features; for images one mean and spread over all
    /// pixels, so that a pixel that happens to vary little in training is not magnified.
    /// </summary>
    public static Standardization InputStandardization(string architecture, ColumnStatistics statistics)
    {
        if (architecture != BuiltInTemplates.CnnArchitecture)
        {
            return Standardization.Of(statistics);
        }
        var mean = statistics.Mean.Average();
        var variance = statistics.Mean.Zip(statistics.Deviation).Average(column => column.Second * column.Second + Math.Pow(column.First - mean, 2));
        return Standardization.Of(new ColumnStatistics([mean], [Math.Sqrt(variance)]));
    }
}
