# Shared by the Pester tests: where the staged module and the repository are.

function Get-TestModuleManifest {
    if ($env:INSIGHTFACEEVAL_MODULE) { return $env:INSIGHTFACEEVAL_MODULE }
    Join-Path (Get-TestRepositoryRoot) 'out/InsightFaceEval/InsightFaceEval.psd1'
}

function Get-TestRepositoryRoot {
    if ($env:INSIGHTFACEEVAL_ROOT) { return $env:INSIGHTFACEEVAL_ROOT }
    (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

function Get-TestSharedRoot {
    <# The shared folder beside the checkout (docs and the vendor's peers), as CI lays it out. #>
    Join-Path (Split-Path (Get-TestRepositoryRoot) -Parent) 'shared'
}

function Get-TestPeersPath {
    <#
    The folder that holds the vendor's peers (seed_client.py, seed_crop.py), or $null when the named file
    is in neither place: $env:INSIGHTFACEEVAL_PEERS (build.ps1 -PeersPath sets it), else shared/peers
    beside the checkout, as CI lays it out. A user's own clone has neither, and the tests that need the
    peers skip with Get-TestPeersSkipReason.
    #>
    param([Parameter(Mandatory)] [string] $File)
    $candidates = @()
    if ($env:INSIGHTFACEEVAL_PEERS) { $candidates += $env:INSIGHTFACEEVAL_PEERS }
    $candidates += Join-Path (Get-TestSharedRoot) 'peers'
    foreach ($dir in $candidates) {
        if (Test-Path -LiteralPath (Join-Path $dir $File) -PathType Leaf) { return (Resolve-Path -LiteralPath $dir).Path }
    }
    $null
}

function Get-TestPeersSkipReason {
    <# Why a test that needs the vendor's peer file is skipped, and how to provide it. #>
    param([Parameter(Mandatory)] [string] $File)
    $where = if ($env:INSIGHTFACEEVAL_PEERS) { "in INSIGHTFACEEVAL_PEERS ('$env:INSIGHTFACEEVAL_PEERS') nor " } else { '' }
    "the vendor's $File is not ${where}in ../shared/peers beside the checkout: set INSIGHTFACEEVAL_PEERS, or run build.ps1 -PeersPath, to the folder that holds it"
}

function Get-TestPython {
    <# Debian's python3 (which sees Debian's numpy, requests, opencv, sklearn), or $null. #>
    foreach ($candidate in '/usr/bin/python3', 'python3') {
        $cmd = Get-Command $candidate -ErrorAction SilentlyContinue
        if ($cmd) { return $cmd.Source }
    }
    $null
}

function Test-PythonModule {
    <# True when the test python can import every named module. #>
    param([Parameter(Mandatory)] [string[]] $Name)
    $python = Get-TestPython
    if (-not $python) { return $false }
    & $python -c ("import " + ($Name -join ', ')) 2>$null
    $LASTEXITCODE -eq 0
}

function Invoke-ChildPwsh {
    <#
    Runs a script in a fresh pwsh, so what it loads is not mixed up with what this session has
    loaded, and returns its JSON output as objects.
    #>
    param([Parameter(Mandatory)] [string] $Command)
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$ProgressPreference = 'SilentlyContinue'`n" + $Command))
    [string[]] $shell = Get-TestHostCommand
    $output = & $shell[0] @($shell | Select-Object -Skip 1) -NoProfile -NonInteractive -EncodedCommand $encoded
    ($output | Where-Object { $_ -is [string] }) -join "`n" | ConvertFrom-Json
}

function Invoke-TestIsolated {
    <#
    Runs a script in a fresh runspace of this process with the staged module imported, and returns its output, every
    stream, the FaceEmbedding objects and the terminating error (a cmdlet's terminating error ends its statement, not
    the script: the wrapper catches it so a test can tell it apart).
    #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Parameters = @{})
    $iss = [initialsessionstate]::CreateDefault2()
    $iss.ImportPSModule((Get-TestModuleManifest))
    $ps = [powershell]::Create($iss)
    try {
        $wrapper = 'param([string] $IfeScript, [hashtable] $IfeParameters) try { & ([scriptblock]::Create($IfeScript)) @IfeParameters } catch { $global:IfeTerminating = $_ }'
        $null = $ps.AddScript($wrapper).AddParameter('IfeScript', $Script).AddParameter('IfeParameters', $Parameters)
        $output = @($ps.Invoke())
        [pscustomobject]@{
            Output      = $output
            Embeddings  = @($output | Where-Object { $_ -is [InsightFaceEval.FaceEmbedding] })
            Error       = @($ps.Streams.Error)
            Warning     = @($ps.Streams.Warning)
            Verbose     = @($ps.Streams.Verbose)
            Debug       = @($ps.Streams.Debug)
            Information = @($ps.Streams.Information)
            Progress    = @($ps.Streams.Progress)
            Terminating = $ps.Runspace.SessionStateProxy.GetVariable('IfeTerminating')
        }
    }
    finally { $ps.Dispose() }
}

function Get-TestHostCommand {
    <#
    The command line that starts another process of this PowerShell: pwsh, powershell.exe (Windows PowerShell 5.1,
    in the Windows workflow), or 'dotnet <PSHOME>/pwsh.dll' under the dotnet tool. Element 0 is the executable.
    #>
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { return , @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    , @($exe)
}

function ConvertTo-TestCommandLineArgument {
    <# One argument quoted as Windows programs split their command line (CommandLineToArgvW's rules). #>
    param([AllowEmptyString()] [string] $Value)
    if ($Value -and $Value -notmatch '[\s"]') { return $Value }
    '"' + (($Value -replace '(\\*)"', '$1$1\"') -replace '(\\+)$', '$1$1') + '"'
}

function Invoke-TestProcess {
    <#
    Runs a program with each of -ArgumentList passed as one argument, in Windows PowerShell 5.1 (.NET Framework
    has no ProcessStartInfo.ArgumentList) as in PowerShell 7, with variables set or removed ($null) in its
    environment. Returns ExitCode, StdOut and StdErr; kills it and throws when it outlasts -TimeoutSeconds.
    #>
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 120,
        [string] $What = 'The child process'
    )
    $psi = New-Object System.Diagnostics.ProcessStartInfo $FilePath
    if ($psi.PSObject.Properties['ArgumentList']) { foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) } }
    else { $psi.Arguments = @($ArgumentList | ForEach-Object { ConvertTo-TestCommandLineArgument $_ }) -join ' ' }
    foreach ($k in $Environment.Keys) {
        if ($null -eq $Environment[$k]) { $psi.EnvironmentVariables.Remove($k) } else { $psi.EnvironmentVariables[$k] = [string]$Environment[$k] }
    }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            # The whole tree where the runtime can (.NET Core 3+), the process itself elsewhere.
            try { $process.Kill($true) } catch { $process.Kill() }
            throw "$What did not finish within $TimeoutSeconds s (a hang)."
        }
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
    }
    finally { $process.Dispose() }
}

function Test-TestWindows {
    <# True on Windows, in Windows PowerShell 5.1 as well (where $IsWindows is not defined). #>
    $env:OS -eq 'Windows_NT'
}

function Get-OnnxStateFunction {
    <# Script text defining Get-OnnxState in a child pwsh: is ONNX Runtime (managed, native) loaded, and from where. #>
    @'
function Get-OnnxState {
    [pscustomobject]@{
        Managed = [bool]([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.ML.OnnxRuntime' })
        Native  = ((Get-Process -Id $PID).Modules | Where-Object ModuleName -like '*onnxruntime*' | ForEach-Object FileName) -join ';'
    }
}
'@
}

function Get-OnnxNativeRelativePath {
    <# Where the module keeps ONNX Runtime's native library for this process: runtimes/<rid>/native/<file>. #>
    $macOS = -not (Test-TestWindows) -and [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::OSX)
    $os = if (Test-TestWindows) { 'win' } elseif ($macOS) { 'osx' } else { 'linux' }
    $rid = "$os-$([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant())"
    $native = if (Test-TestWindows) { 'onnxruntime.dll' } elseif ($macOS) { 'libonnxruntime.dylib' } else { 'libonnxruntime.so' }
    "runtimes/$rid/native/$native"
}

function ConvertTo-TestRunText {
    <#
    .SYNOPSIS
        Everything a user or a host could see of some runs, as one text: each record of every stream (Output, Error,
        Warning, Verbose, Debug, Information, Progress) and the terminating error, formatted, serialized, with its
        exception, error details, invocation info, bound parameters and target. A leak test searches it for a secret.
    #>
    param([object[]] $Runs)
    $describe = {
        param($record)
        $record | Format-List * -Force | Out-String -Width 4096
        if ($record -is [System.Management.Automation.ErrorRecord]) {
            [System.Management.Automation.PSSerializer]::Serialize($record, 3)
            $record.Exception.ToString()
            $record.ErrorDetails | Format-List * | Out-String -Width 4096
            $record.InvocationInfo | Format-List * | Out-String -Width 4096
            $record.InvocationInfo.BoundParameters | Out-String -Width 4096
            "$($record.TargetObject)"
        }
    }
    $everything = foreach ($run in $Runs) {
        foreach ($stream in 'Output', 'Error', 'Warning', 'Verbose', 'Debug', 'Information', 'Progress') {
            foreach ($record in $run.$stream) { & $describe $record }
        }
        if ($run.Terminating) { & $describe $run.Terminating }
    }
    $everything -join "`n"
}

Export-ModuleMember -Function *
