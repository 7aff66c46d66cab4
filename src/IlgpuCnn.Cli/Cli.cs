using System.CommandLine;

namespace IlgpuCnn.Cli;

/// <summary>The command tree of <c>ilgpucnn</c>; each command lives in Commands/ and is added here.</summary>
public static class Cli
{
    /// <summary>Global flag: print stack traces of errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print the full stack trace of an error.",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("IlgpuCnn: train a VGG-style CNN on CIFAR-10 with kernels compiled by ILGPU.");
        root.Options.Add(Verbose);
        root.Subcommands.Add(Commands.DataCommand.Create());
        root.Subcommands.Add(Commands.TrainCommand.Create());
        root.Subcommands.Add(Commands.EvaluateCommand.Create());
        root.Subcommands.Add(Commands.PredictCommand.Create());
        root.Subcommands.Add(Commands.ExportCommand.Create());
        root.Subcommands.Add(Commands.PreviewCommand.Create());
        root.Subcommands.Add(Commands.DevicesCommand.Create());
        root.Subcommands.Add(Commands.SummaryCommand.Create());
        root.Subcommands.Add(Commands.BenchCommand.Create());
        root.Subcommands.Add(Commands.SelfTestCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; a command line that does not parse gets one sentence per error (no .NET type names) and exit code 1.</summary>
    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count == 0)
        {
            return parse.Invoke();
        }

        foreach (var error in parse.Errors)
        {
            Console.Error.WriteLine($"error: {Sentence(error.Message)}");
        }

        return 1;
    }

    /// <summary>A parse error in the program's words: "--epochs expects a whole number, but got '1.5'." instead of the parser's type names.</summary>
    public static string Sentence(string parserMessage)
    {
        var m = System.Text.RegularExpressions.Regex.Match(parserMessage, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.?$");
        if (!m.Success)
        {
            return parserMessage;
        }

        string type = m.Groups[3].Value;
        string what = type.Contains("Int", StringComparison.Ordinal) ? "a whole number" : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number" : "another value";
        return $"{m.Groups[2].Value} expects {what}, but got '{m.Groups[1].Value}'; pass {what}.";
    }

    /// <summary>Host or device (CUDA_ERROR_OUT_OF_MEMORY) memory exhaustion, possibly wrapped.</summary>
    public static bool IsOutOfMemory(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is OutOfMemoryException || (e is ILGPU.Runtime.Cuda.CudaException cuda && cuda.Error.ToString().Contains("OUT_OF_MEMORY", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The out-of-memory sentence for a command, naming only flags that command has.</summary>
    public static string OutOfMemoryAdvice(string command) => command switch
    {
        "train" or "bench" => "The device ran out of memory; lower --batch-size or --width, or free memory on the device.",
        "evaluate" => "The machine ran out of memory while loading the model or the test split; lower --test-limit, or close other programs.",
        "predict" => "The machine ran out of memory while loading the model or the images; pass fewer images at once, or close other programs.",
        _ => "The machine ran out of memory; close other programs or use a machine with more memory.",
    };

    /// <summary>
    /// Runs a command body: a <see cref="UserError"/> (or any other failure) becomes one line on
    /// stderr and exit code 1; the stack trace only with --verbose.
    /// </summary>
    public static int Guard(ParseResult parse, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OptionException e)
        {
            string flag = Commands.TrainFlags.FlagOf.TryGetValue(e.Option, out var f) ? f : e.Option;
            Console.Error.WriteLine($"error: {flag}: {e.Sentence}");
            return 1;
        }
        catch (CommandInterruptedException e)
        {
            Console.Error.WriteLine(e.Message);
            return e.ExitCode;
        }
        catch (UserError e)
        {
            return Fail(parse, e.Message, e);
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            return Fail(parse, OutOfMemoryAdvice(parse.CommandResult.Command.Name), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(parse, $"{e.Message.TrimEnd('.')}; check the path, its permissions and the free disk space (run again with --verbose for the details).", e);
        }
        catch (Exception e)
        {
            return Fail(parse, $"{e.Message.TrimEnd('.')} (an unexpected failure; run again with --verbose for the details).", e);
        }
    }

    /// <summary>Prints "error: <paramref name="sentence"/>" (and, with --verbose, the exception); returns exit code 1.</summary>
    private static int Fail(ParseResult parse, string sentence, Exception e)
    {
        DownloadProgress.EndLine();
        Console.Error.WriteLine($"error: {sentence}");
        if (parse.GetValue(Verbose))
        {
            Console.Error.WriteLine(e);
        }

        return 1;
    }
}
