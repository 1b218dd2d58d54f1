namespace NeuralSharp;
