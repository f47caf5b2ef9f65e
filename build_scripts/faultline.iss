; Inno Setup 6 script: the Windows installer for Faultline.
; It packages dist\Faultline\ as built by faultline.spec, and cannot be built on Linux:
; run build_windows.ps1 on Windows, which builds the bundle, self-tests it, and calls
;   iscc /DAppVersion=<version> /DAppVersionNumeric=<a.b.c.d> [/DSign /Sfaultline=<signtool sign ...>] build_scripts\faultline.iss
; Names kept in step with faultline.spec and the Linux package: the executable Faultline.exe,
; the .faultline extension, the MIME type application/x-faultline.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=x.y.z /DAppVersionNumeric=x.y.z.0 (build_windows.ps1 does)
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric AppVersion
#endif
#define AppName "Faultline"
#define AppExe "Faultline.exe"
#define ProgId "Faultline.Project"

[Setup]
AppId={{E068B928-8269-5C0E-9E36-C2DD390A2A50}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductVersion={#AppVersionNumeric}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install without administrator rights is offered too: offline workstations are often locked down.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=faultline-{#AppVersion}-windows-x64-setup
SetupIconFile=..\build\faultline-spec\icons\faultline.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes
#ifdef Sign
; build_windows.ps1 passes /DSign and the signtool command as /Sfaultline=...: Inno Setup signs the
; setup and the uninstaller it writes into it, so neither shows an unknown publisher.
SignTool=faultline
SignedUninstaller=yes
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\dist\Faultline\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; *.faultline opens in Faultline on double-click (HKA: the machine or the user, as installed).
Root: HKA; Subkey: "Software\Classes\.faultline"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.faultline"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-faultline"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.faultline\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "Faultline project"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".faultline"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
