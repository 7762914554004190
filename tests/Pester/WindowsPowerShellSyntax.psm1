# Finds what Windows PowerShell 5.1 cannot run in a script or a documentation code block, with the PowerShell
# parser (AST), not regular expressions. Used by WindowsPowerShell.Tests.ps1. Valid 5.1 itself: it runs in the
# Windows workflow under powershell.exe, where the 7-only syntax already shows as parse errors.

# Parameters that Windows PowerShell 5.1's cmdlets lack (command name -> parameter names).
$script:SevenOnlyParameters = @{
    'ForEach-Object'    = @('Parallel', 'ThrottleLimit', 'AsJob', 'TimeoutSeconds', 'UseNewRunspace')
    'ConvertFrom-Json'  = @('AsHashtable', 'Depth', 'NoEnumerate', 'DateKind')
    'ConvertTo-Json'    = @('AsArray', 'EnumsAsStrings', 'EscapeHandling')
    'Get-Content'       = @('AsByteStream')
    'Set-Content'       = @('AsByteStream')
    'Add-Content'       = @('AsByteStream')
    'Split-Path'        = @('LeafBase', 'Extension')
    'Join-Path'         = @('AdditionalChildPath', 'Extension')
    'Sort-Object'       = @('Stable', 'Top', 'Bottom')
    'Out-String'        = @('NoNewline')
    'Get-Date'          = @('AsUTC', 'UnixTimeSeconds')
    'Start-Sleep'       = @('Duration')
    'Start-Process'     = @('Environment')
    'Resolve-Path'      = @('RelativeBasePath')
    'Select-String'     = @('Raw', 'NoEmphasis')
    'Invoke-WebRequest' = @('SkipCertificateCheck', 'SkipHttpErrorCheck', 'StatusCodeVariable', 'ResponseHeadersVariable', 'Authentication', 'Token', 'MaximumRetryCount', 'RetryIntervalSec', 'Form')
    'Invoke-RestMethod' = @('SkipCertificateCheck', 'SkipHttpErrorCheck', 'StatusCodeVariable', 'ResponseHeadersVariable', 'Authentication', 'Token', 'MaximumRetryCount', 'RetryIntervalSec', 'Form')
}
$script:CommandAliases = @{ '%' = 'ForEach-Object'; 'foreach' = 'ForEach-Object'; 'gc' = 'Get-Content'; 'ac' = 'Add-Content'; 'epcsv' = 'Export-Csv'; 'sort' = 'Sort-Object'; 'iwr' = 'Invoke-WebRequest'; 'irm' = 'Invoke-RestMethod' }
# Commands Windows PowerShell 5.1 does not have.
$script:SevenOnlyCommands = @('Test-Json', 'Join-String', 'Get-Error', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-Uptime', 'Remove-Alias', 'Remove-Service')
# Automatic variables 5.1 does not define (there they are $null, so `if ($IsWindows)` is silently false on Windows).
$script:SevenOnlyVariables = @('IsWindows', 'IsLinux', 'IsMacOS', 'PSStyle')
# .NET Core members that .NET Framework 4.7.2 lacks: type name -> member names.
$script:CoreOnlyMembers = @{
    'Path'    = @('GetRelativePath', 'Join', 'TrimEndingDirectorySeparator', 'EndsInDirectorySeparator')
    'Math'    = @('Clamp')
    'Convert' = @('ToHexString', 'FromHexString')
    'SHA256'  = @('HashData')
    'File'    = @('ReadAllTextAsync', 'WriteAllTextAsync', 'ReadAllBytesAsync', 'WriteAllBytesAsync')
}
# The cmdlets that write files: in 5.1 their default encoding is not UTF-8 (ANSI, UTF-16 or ASCII).
$script:FileWriters = @('Export-Csv', 'Set-Content', 'Out-File', 'Add-Content')
# Switch parameters of the commands checked here: the element after one of them is not its value.
$script:Switches = @('NoTypeInformation', 'IncludeTypeInformation', 'UseCulture', 'Append', 'Force', 'NoClobber', 'NoNewline',
    'Resolve', 'Recurse', 'PassThru', 'Raw', 'WhatIf', 'Confirm', 'AsHashtable', 'AsByteStream', 'AsArray', 'Compress')

function Get-CommandArgumentMap {
    <# Named parameters of a command AST -> their argument ASTs ($null for a switch), and the positional arguments. #>
    param([System.Management.Automation.Language.CommandAst] $Command)
    $named = @{}
    $positional = New-Object System.Collections.Generic.List[object]
    $elements = $Command.CommandElements
    for ($i = 1; $i -lt $elements.Count; $i++) {
        $element = $elements[$i]
        if ($element -is [System.Management.Automation.Language.CommandParameterAst]) {
            $value = $element.Argument
            $next = if ($i + 1 -lt $elements.Count) { $elements[$i + 1] } else { $null }
            # '-Name value': the next element is the value, unless it is a parameter itself or this is a known switch.
            if (-not $value -and $next -and $next -isnot [System.Management.Automation.Language.CommandParameterAst] -and
                $element.ParameterName -notin $script:Switches) {
                $value = $next
                $i++
            }
            $named[$element.ParameterName] = $value
        }
        else { $positional.Add($element) }
    }
    [pscustomobject]@{ Named = $named; Positional = $positional.ToArray() }
}

function Find-NamedParameter {
    <# The key of Named that is Name or an abbreviation of it (two letters at least); $null if none. #>
    param([hashtable] $Named, [string] $Name)
    foreach ($key in $Named.Keys) {
        if ($Name.StartsWith($key, [StringComparison]::OrdinalIgnoreCase) -and $key.Length -ge 2) { return $key }
    }
    $null
}

function Get-WindowsPowerShellIssue {
    <#
    .SYNOPSIS
        Lists what Windows PowerShell 5.1 cannot run in PowerShell source: '<source>:<line>: <problem>' strings.
    .DESCRIPTION
        Parse errors (in 5.1 every 7-only syntax is one); with the PowerShell 7 parser: ternary, &&/|| pipeline
        chains, ?? and ??=, ?. and ?[, clean blocks; 7-only cmdlets, parameters and automatic variables; utf8NoBOM
        and utf8BOM; Join-Path with more than one child path; .NET Core-only members; and Export-Csv, Set-Content,
        Out-File or Add-Content without -Encoding UTF8 (Export-Csv also without -NoTypeInformation).
    #>
    param(
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $Source,
        [Parameter(Mandatory)] [string] $Name,
        # Line number of the source's first line in its file (code blocks inside Markdown).
        [int] $FirstLine = 1
    )
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Source, [ref] $tokens, [ref] $errors)
    $issues = New-Object System.Collections.Generic.List[string]
    $at = { param($node) '{0}:{1}' -f $Name, ($node.Extent.StartLineNumber + $FirstLine - 1) }
    foreach ($e in $errors) { $issues.Add(('{0}:{1}: does not parse: {2}' -f $Name, ($e.Extent.StartLineNumber + $FirstLine - 1), $e.Message)) }
    $nodes = $ast.FindAll({ $true }, $true)
    foreach ($node in $nodes) {
        $type = $node.GetType().Name
        $problem = $null
        switch ($type) {
            'TernaryExpressionAst' { $problem = 'ternary operator a ? b : c' }
            'PipelineChainAst' { $problem = '&& / || pipeline chain' }
            'BinaryExpressionAst' { if ("$($node.Operator)" -eq 'QuestionQuestion') { $problem = 'null-coalescing operator ??' } }
            'AssignmentStatementAst' { if ("$($node.Operator)" -eq 'QuestionQuestionEquals') { $problem = 'null-coalescing assignment ??=' } }
            'ScriptBlockAst' { if ($node.PSObject.Properties['CleanBlock'] -and $node.CleanBlock) { $problem = 'clean block' } }
            'VariableExpressionAst' {
                $variable = $node.VariablePath.UserPath
                if ($variable -in $script:SevenOnlyVariables) { $problem = "automatic variable `$$variable (undefined in 5.1; use [System.Runtime.InteropServices.RuntimeInformation] or `$env:OS)" }
                elseif ($variable.EndsWith('?')) { $problem = "variable `$$variable (a null-conditional operator written without braces)" }
            }
            'StringConstantExpressionAst' {
                if ($node.Value -match '^utf8(NoBOM|BOM)$') { $problem = "encoding name '$($node.Value)' (5.1 knows UTF8 only)" }
            }
            'CommandAst' {
                $command = $node.GetCommandName()
                if (-not $command) { break }
                if ($script:CommandAliases.ContainsKey($command)) { $command = $script:CommandAliases[$command] }
                $map = Get-CommandArgumentMap $node
                # -eq and hashtable keys ignore case, as PowerShell does for command names.
                $known = @($script:SevenOnlyParameters.Keys | Where-Object { $_ -eq $command })
                if ($known) {
                    foreach ($parameter in $script:SevenOnlyParameters[$known[0]]) {
                        # Exact names: '-Leaf' is a 5.1 parameter, not an abbreviation of 7's '-LeafBase'.
                        if ($map.Named.ContainsKey($parameter)) { $issues.Add(('{0}: {1} -{2} (not in 5.1)' -f (& $at $node), $known[0], $parameter)) }
                    }
                }
                if ($command -in $script:SevenOnlyCommands) { $problem = "$command (not in 5.1)" }
                if ($command -eq 'Join-Path') {
                    $children = $map.Positional.Count
                    foreach ($p in 'Path', 'ChildPath') { if ($map.Named.Keys | Where-Object { $p.StartsWith($_, [StringComparison]::OrdinalIgnoreCase) -and $_.Length -ge 2 }) { $children++ } }
                    if ($children -gt 2) { $problem = 'Join-Path with more than one child path (5.1 takes one: nest the calls)' }
                }
                $writer = @($script:FileWriters | Where-Object { $_ -eq $command })
                if ($writer) {
                    $encodingKey = Find-NamedParameter $map.Named 'Encoding'
                    $encoding = if ($encodingKey -and $map.Named[$encodingKey]) { $map.Named[$encodingKey].Extent.Text.Trim("'", '"') } else { $null }
                    if ($encoding -ne 'UTF8') { $issues.Add(('{0}: {1} without -Encoding UTF8' -f (& $at $node), $writer[0])) }
                    if ($writer[0] -eq 'Export-Csv' -and -not (Find-NamedParameter $map.Named 'NoTypeInformation')) {
                        $issues.Add(('{0}: Export-Csv without -NoTypeInformation' -f (& $at $node)))
                    }
                }
            }
            'InvokeMemberExpressionAst' {
                if ($node.Static -and $node.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) {
                    $typeName = ($node.Expression.TypeName.Name -split '\.')[-1]
                    if ($script:CoreOnlyMembers.ContainsKey($typeName) -and "$($node.Member.Value)" -in $script:CoreOnlyMembers[$typeName]) {
                        $problem = "[$($node.Expression.TypeName.Name)]::$($node.Member.Value) (.NET Core only; .NET Framework lacks it)"
                    }
                }
            }
        }
        if (-not $problem -and $type -in 'MemberExpressionAst', 'InvokeMemberExpressionAst', 'IndexExpressionAst' -and
            $node.PSObject.Properties['NullConditional'] -and $node.NullConditional) {
            $problem = $(if ($type -eq 'IndexExpressionAst') { 'null-conditional index ?[' } else { 'null-conditional member access ?.' })
        }
        if ($problem) { $issues.Add(('{0}: {1}' -f (& $at $node), $problem)) }
    }
    $issues.ToArray()
}

function Get-MarkdownPowerShellBlock {
    <#
    .SYNOPSIS
        The PowerShell code blocks of a Markdown file: objects with Code (the source) and FirstLine.
    .DESCRIPTION
        The classification rule:
        - A fenced block (```) is PowerShell when its language is powershell, pwsh, ps1, ps or posh, or when it
          has no language, except under a '## SYNTAX' heading (platyPS syntax diagrams). Any other language
          (sh, crontab, ini, json, yaml, text, ...) is not PowerShell.
        - An indented block (4 spaces or a tab after a blank line, outside a fence; the README's style) is PowerShell.
        - Inside a PowerShell block, a line starting with 'dotnet tool restore &&' is a shell line (bash or cmd:
          the README's one-line set-up for a bare machine) and is left out.
        - 'PS> ' and '>> ' prompts (platyPS examples) are removed; a block with prompts keeps only the prompted
          lines and their continuation lines (indented, or after a line ending in '|', '`', '(' or '{');
          other lines are the example's output.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $lines = @(Get-Content -LiteralPath $Path -Encoding UTF8)
    $blocks = New-Object System.Collections.Generic.List[object]
    $i = 0
    $previousBlank = $true
    $heading = ''
    while ($i -lt $lines.Count) {
        $line = $lines[$i]
        if ($line -match '^##\s+(.+?)\s*$') { $heading = $Matches[1] }
        if ($line -match '^\s*```+\s*([\w-]*)') {
            $language = $Matches[1].ToLowerInvariant()
            $start = $i + 1
            $i++
            $body = New-Object System.Collections.Generic.List[string]
            while ($i -lt $lines.Count -and $lines[$i] -notmatch '^\s*```') { $body.Add($lines[$i]); $i++ }
            # platyPS's '## SYNTAX' blocks are syntax diagrams ('[-Path] <String[]>'), not code.
            $isCode = $language -in 'powershell', 'pwsh', 'ps1', 'ps', 'posh' -or ($language -eq '' -and $heading -ne 'SYNTAX')
            if ($isCode) { $blocks.Add((New-PowerShellBlock $body.ToArray() ($start + 1))) }
            $i++
            $previousBlank = $false
            continue
        }
        if ($previousBlank -and $line -match '^(    |\t)\S') {
            $start = $i
            $body = New-Object System.Collections.Generic.List[string]
            while ($i -lt $lines.Count -and ($lines[$i] -match '^(    |\t)' -or ($lines[$i].Trim() -eq '' -and $i + 1 -lt $lines.Count -and $lines[$i + 1] -match '^(    |\t)'))) {
                $body.Add(($lines[$i] -replace '^(    |\t)', ''))
                $i++
            }
            $blocks.Add((New-PowerShellBlock $body.ToArray() ($start + 1)))
            $previousBlank = $false
            continue
        }
        $previousBlank = $line.Trim() -eq ''
        $i++
    }
    $blocks.ToArray()
}

function New-PowerShellBlock([string[]] $Lines, [int] $FirstLine) {
    if (-not $Lines) { return [pscustomobject]@{ Code = ''; FirstLine = $FirstLine } }
    $prompted = @($Lines | Where-Object { $_ -match '^PS[^>]*> ' }).Count -gt 0
    $inCode = $false
    # One output line per input line (blank where a line is left out), so line numbers stay right.
    $kept = foreach ($index in 0..($Lines.Count - 1)) {
        $line = $Lines[$index]
        if ($line -match '^\s*dotnet tool restore &&') { ''; continue }
        if (-not $prompted) { $line; continue }
        if ($line -match '^PS[^>]*> ?(.*)$') { $inCode = $true; $Matches[1]; continue }
        if ($line -match '^>> ?(.*)$') { $Matches[1]; continue }
        $before = if ($index -gt 0) { $Lines[$index - 1].TrimEnd() } else { '' }
        if ($inCode -and ($line -match '^\s+\S' -or $before -match '[|`({]$')) { $line; continue }
        $inCode = $false
        ''
    }
    [pscustomobject]@{ Code = (@($kept) -join "`n"); FirstLine = $FirstLine }
}

function Get-HelpExampleCode {
    <#
    .SYNOPSIS
        The code of one help example, prompts removed: the PowerShell block right after the heading
        '### Example n: <Title>' of docs/en-US/<Page>.md, read by the same rule as every other documented block.
    #>
    param([Parameter(Mandatory)] [string] $Page, [Parameter(Mandatory)] [string] $Title)
    $path = Join-Path (Split-Path (Split-Path $PSScriptRoot)) "docs/en-US/$Page.md"
    $text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
    $match = [regex]::Match($text, '(?s)### Example \d+: ' + [regex]::Escape($Title) + '\s*```powershell\r?\n(.*?)```')
    if (-not $match.Success) { throw "No example '$Title' in $Page.md." }
    $sample = Join-Path ([System.IO.Path]::GetTempPath()) ('ife-example-' + [guid]::NewGuid().ToString('N') + '.md')
    try {
        "``````powershell`n$($match.Groups[1].Value)``````" | Set-Content -LiteralPath $sample -Encoding UTF8
        (Get-MarkdownPowerShellBlock -Path $sample)[0].Code
    }
    finally {
        Remove-Item -LiteralPath $sample -Force -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Get-WindowsPowerShellIssue, Get-MarkdownPowerShellBlock, Get-HelpExampleCode
