# The scheduler recipes of docs/nightly.md, run as a scheduler runs them: each command line is read from the
# document itself (so the two cannot drift apart) and started from a folder outside the repository. Only the
# documented placeholders are replaced:
#   /opt/face-eval, C:\face-eval        -> this repository (built)
#   /data/faces, D:\faces               -> a small dataset of identity folders
#   /var/lib/face-eval, D:\face-eval    -> a fresh output folder per recipe
#   /etc/face-eval/endpoint.env         -> a file with INSIGHTFACE_SERVER_URL='<a local endpoint started here>'
#   /var/log/face-eval.log              -> a log file in the test folder
#   /usr/bin/pwsh                       -> a 'pwsh' shim (below); 'pwsh.exe' (Task Scheduler) -> this PowerShell
# The pwsh: installing the documented global tool takes close to a minute, so the test puts a shim named 'pwsh'
# on PATH instead, a two-line sh script that runs this same PowerShell (for `dotnet pwsh`: dotnet <PSHOME>/pwsh.dll).
# The mail command of the cron recipe is a shim too, which records the message. cron and systemd recipes need
# /bin/sh and run on Linux and macOS; the Task Scheduler argument strings run everywhere, split into arguments by
# .NET with the Windows command-line rules Task Scheduler uses.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportTestData.psm1') -Force
    $script:repo = Get-TestRepositoryRoot
    $script:doc = Get-Content -LiteralPath (Join-Path $script:repo 'docs/nightly.md') -Encoding UTF8

    function Get-DocBlock([string] $Language) {
        # The fenced blocks of docs/nightly.md in one language, each as one object: its lines.
        $current = $null
        foreach ($line in $script:doc) {
            if ($null -eq $current -and $line -match '^```(\S*)\s*$') { $current = @{ Language = $Matches[1]; Lines = @() }; continue }
            if ($null -ne $current -and $line -match '^```\s*$') {
                if ($current.Language -eq $Language) { , [string[]] $current.Lines }
                $current = $null
                continue
            }
            if ($null -ne $current) { $current.Lines += $line }
        }
    }

    $script:dataset = Join-Path $TestDrive 'faces'
    $null = New-TestImageFiles -Path $script:dataset -Count 8 -Identities 4
    $script:endpoint = Start-TestEndpoint
    # Outside the repository: where the scheduler starts the command.
    $script:work = Join-Path $TestDrive 'scheduler-cwd'
    $null = New-Item -ItemType Directory -Path $script:work -Force
    $script:envFile = Join-Path $TestDrive 'endpoint.env'
    "INSIGHTFACE_SERVER_URL='$($script:endpoint.Url)'" | Set-Content -LiteralPath $script:envFile -Encoding UTF8

    $script:bin = Join-Path $TestDrive 'bin'
    $null = New-Item -ItemType Directory -Path $script:bin -Force
    [string[]] $shell = Get-TestHostCommand
    $script:unix = -not (Test-TestWindows)
    if ($script:unix) {
        $script:pwshShim = Join-Path $script:bin 'pwsh'
        $quoted = ($shell | ForEach-Object { "'" + $_ + "'" }) -join ' '
        "#!/bin/sh`nexec $quoted `"`$@`"" | Set-Content -LiteralPath $script:pwshShim -Encoding UTF8
        $script:mailLog = Join-Path $TestDrive 'mail.txt'
        "#!/bin/sh`n{ echo `"mail `$*`"; cat; } >> '$($script:mailLog)'" | Set-Content -LiteralPath (Join-Path $script:bin 'mail') -Encoding UTF8
        & chmod +x $script:pwshShim (Join-Path $script:bin 'mail')
    }

    function Get-Substituted([string] $Text, [string] $OutputRoot) {
        $map = [ordered]@{
            '/etc/face-eval/endpoint.env' = $script:envFile
            '/var/log/face-eval.log'      = (Join-Path $TestDrive 'face-eval.log')
            '/var/lib/face-eval'          = $OutputRoot
            '/opt/face-eval'              = $script:repo
            '/data/faces'                 = $script:dataset
            '/usr/bin/pwsh'               = $script:pwshShim
        }
        foreach ($key in $map.Keys) { if ($Text.Contains($key)) { $Text = $Text.Replace($key, $map[$key]) } }
        # Windows paths: the placeholder and the rest of the path, with this system's separator.
        $windows = @{ 'c:\face-eval' = $script:repo; 'd:\faces' = $script:dataset; 'd:\face-eval' = $OutputRoot }
        [regex]::Replace($Text, '(?i)(C:\\face-eval|D:\\faces|D:\\face-eval)((?:\\[^\s"'';|\\]+)*)', {
                param($m)
                $windows[$m.Groups[1].Value.ToLowerInvariant()] + $m.Groups[2].Value.Replace('\', [IO.Path]::DirectorySeparatorChar)
            })
    }

    function Invoke-Shell([string] $Command) {
        # As cron does: /bin/sh -c '<command>', from a folder that is not the repository, with a short PATH.
        $saved = $env:PATH
        Push-Location -LiteralPath $script:work
        try {
            $env:PATH = "$($script:bin):/usr/bin:/bin"
            & /bin/sh -c $Command | Out-Host
            $LASTEXITCODE
        }
        finally { $env:PATH = $saved; Pop-Location }
    }

    function Invoke-TaskArgument([string] $Arguments) {
        # As Task Scheduler does: one argument string, split by the Windows rules (.NET applies them on every OS).
        [string[]] $shell = Get-TestHostCommand
        $start = New-Object System.Diagnostics.ProcessStartInfo
        $start.FileName = $shell[0]
        $start.Arguments = ((@($shell | Select-Object -Skip 1) | ForEach-Object { '"' + $_ + '"' }) + $Arguments) -join ' '
        $start.WorkingDirectory = $script:work
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.EnvironmentVariables['INSIGHTFACE_SERVER_URL'] = $script:endpoint.Url
        $process = [System.Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
    }

    function Get-TaskArgument([string[]] $Block) {
        # The -Argument string of New-ScheduledTaskAction in a documented PowerShell block, as PowerShell evaluates it.
        $ast = [System.Management.Automation.Language.Parser]::ParseInput(($Block -join "`n"), [ref] $null, [ref] $null)
        $action = $ast.Find({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'New-ScheduledTaskAction' }, $true)
        $elements = @($action.CommandElements)
        $expression = $null
        for ($i = 0; $i -lt $elements.Count - 1; $i++) {
            if ($elements[$i] -is [System.Management.Automation.Language.CommandParameterAst] -and $elements[$i].ParameterName -eq 'Argument') { $expression = $elements[$i + 1] }
        }
        (@($expression.FindAll({ param($n) $n -is [System.Management.Automation.Language.StringConstantExpressionAst] }, $true) | ForEach-Object Value) -join '')
    }
}

AfterAll { $script:endpoint | Stop-TestEndpoint }

Describe 'docs/nightly.md scheduler recipes, run as printed from outside the repository' {
    It 'the command at the top, through sh' {
        if (-not $script:unix) { Set-ItResult -Skipped -Because 'a sh command line'; return }
        $lines = @((Get-DocBlock 'sh') | ForEach-Object { $_ } | Where-Object { $_ -like 'pwsh *' })
        $lines.Count | Should -Be 1
        $out = Join-Path $TestDrive 'out-top'
        $null = New-Item -ItemType Directory -Path $out
        $command = "export INSIGHTFACE_SERVER_URL='$($script:endpoint.Url)'; " + (Get-Substituted $lines[0] $out) + " > '$out/summary.json'"
        Invoke-Shell $command | Should -Be 0
        $summary = Get-Content -LiteralPath "$out/summary.json" -Raw | ConvertFrom-Json
        $summary.status | Should -Be 'baseline-created'
        @($summary.models) | Should -Be @('dingo', 'eagle')
        $summary.uploaded | Should -Be 16
    }

    It 'cron: appends the summary, and mails when the run fails' {
        if (-not $script:unix) { Set-ItResult -Skipped -Because 'cron runs /bin/sh' ; return }
        $block = @(Get-DocBlock 'crontab')
        $block.Count | Should -Be 1
        $entries = @($block[0] | Where-Object { $_ -notmatch '^\s*#' -and $_ -match '^(\S+\s+){5}(.+)$' } | ForEach-Object { ($_ -replace '^(\S+\s+){5}', '') })
        $entries.Count | Should -Be 1
        $out = Join-Path $TestDrive 'out-cron'
        $null = New-Item -ItemType Directory -Path $out
        Invoke-Shell (Get-Substituted $entries[0] $out) | Should -Be 0
        $summary = Get-Content -LiteralPath (Join-Path $out 'summaries.jsonl') -Raw | ConvertFrom-Json
        $summary.status | Should -Be 'baseline-created'
        @($summary.models) | Should -Be @('dingo', 'eagle')
        Get-Content -LiteralPath (Join-Path $TestDrive 'face-eval.log') -Raw | Should -Match 'Uploaded 16'
        Test-Path -LiteralPath $script:mailLog | Should -BeFalse

        # The endpoint gone: the run fails, and the || branch mails.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $savedEnv = Get-Content -LiteralPath $script:envFile -Raw
        try {
            "INSIGHTFACE_SERVER_URL='http://127.0.0.1:$port/v1/extract'" | Set-Content -LiteralPath $script:envFile -Encoding UTF8
            Invoke-Shell (Get-Substituted $entries[0] $out) | Should -Be 0 -Because 'the mail command succeeded'
        }
        finally { $savedEnv | Set-Content -LiteralPath $script:envFile -Encoding UTF8 -NoNewline }
        Get-Content -LiteralPath $script:mailLog -Raw | Should -Match 'mail -s face-eval regression ops@example.com'
        Get-Content -LiteralPath $script:mailLog -Raw | Should -Match 'face-eval nightly failed'
        $text = Get-Content -LiteralPath (Join-Path $out 'summaries.jsonl') -Raw
        $text | Should -Match '"status": "failed"'
        $text | Should -Match 'endpoint .*unreachable'
    }

    It 'systemd: ExecStart with the EnvironmentFile, output appended to the summaries file' {
        if (-not $script:unix) { Set-ItResult -Skipped -Because 'a systemd unit'; return }
        $unit = @(Get-DocBlock 'ini' | Where-Object { $_ -match '^ExecStart=' })
        $unit.Count | Should -Be 1
        $out = Join-Path $TestDrive 'out-systemd'
        $null = New-Item -ItemType Directory -Path $out
        $exec = Get-Substituted ((@($unit[0] | Where-Object { $_ -match '^ExecStart=' })[0]) -replace '^ExecStart=', '') $out
        $append = Get-Substituted ((@($unit[0] | Where-Object { $_ -match '^StandardOutput=append:' })[0]) -replace '^StandardOutput=append:', '') $out
        $environmentFile = Get-Substituted ((@($unit[0] | Where-Object { $_ -match '^EnvironmentFile=' })[0]) -replace '^EnvironmentFile=', '') $out
        $exec | Should -Not -Match '["'']' -Because 'the words are split on spaces here, as systemd does for unquoted words'
        $words = @($exec -split '\s+' | Where-Object { $_ })
        # systemd: the variables of EnvironmentFile (KEY='value'), the working directory '/', here a folder outside the repository.
        $variable = (Get-Content -LiteralPath $environmentFile -Raw).Trim() -split '=', 2
        $saved = [Environment]::GetEnvironmentVariable($variable[0])
        Push-Location -LiteralPath $script:work
        try {
            [Environment]::SetEnvironmentVariable($variable[0], $variable[1].Trim("'"))
            $stdout = & $words[0] @($words | Select-Object -Skip 1) 2>$null
            $LASTEXITCODE | Should -Be 0
        }
        finally { [Environment]::SetEnvironmentVariable($variable[0], $saved); Pop-Location }
        Add-Content -LiteralPath $append -Value $stdout -Encoding UTF8
        $summary = Get-Content -LiteralPath $append -Raw | ConvertFrom-Json
        $summary.status | Should -Be 'baseline-created'
        @($summary.models) | Should -Be @('dingo', 'eagle')
    }

    It 'Task Scheduler: the -File action' {
        $blocks = @(Get-DocBlock 'powershell' | Where-Object { ($_ -join "`n") -match 'New-ScheduledTaskAction' -and ($_ -join "`n") -match "'-NoProfile -NonInteractive -File " })
        $blocks.Count | Should -Be 1
        $out = Join-Path $TestDrive 'out-task'
        $run = Invoke-TaskArgument (Get-Substituted (Get-TaskArgument $blocks[0]) $out)
        $run.ExitCode | Should -Be 0 -Because $run.StdErr
        ($run.StdOut | ConvertFrom-Json).status | Should -Be 'baseline-created'
        Join-Path $out 'baseline.json' | Should -Exist
    }

    It 'Task Scheduler: the -Command action keeps the summaries with Out-File and passes the exit code on' {
        $blocks = @(Get-DocBlock 'powershell' | Where-Object { ($_ -join "`n") -match 'New-ScheduledTaskAction' -and ($_ -join "`n") -match '-Command ' })
        $blocks.Count | Should -Be 1
        $out = Join-Path $TestDrive 'out-task-command'
        $null = New-Item -ItemType Directory -Path $out
        $run = Invoke-TaskArgument (Get-Substituted (Get-TaskArgument $blocks[0]) $out)
        $run.ExitCode | Should -Be 0 -Because $run.StdErr
        $summary = Get-Content -LiteralPath (Join-Path $out 'summaries.json') -Raw -Encoding UTF8 | ConvertFrom-Json
        $summary.status | Should -Be 'baseline-created'
        @($summary.models) | Should -Be @('dingo', 'eagle')
    }
}
